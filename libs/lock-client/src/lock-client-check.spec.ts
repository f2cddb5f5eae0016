import { MessagePatterns } from '@app/protocol';
import type { MessagePattern } from '@app/protocol';
import { startFakeLockNode } from '../test/fake-lock-node';
import type { FakeLockNode } from '../test/fake-lock-node';
import { LockClient } from './lock-client';
import { LockClientError } from './lock-client-error';

const CLIENT_ID = '2b1f7f3e-0c56-5d0a-9a57-3f7d2c1e8b40';
const OTHER_CLIENT_ID = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

function answer(pattern: MessagePattern, payload: unknown): unknown {
  const { name, clientId } = payload as { name: string; clientId?: string };
  if (pattern === MessagePatterns.preempt) {
    return { name, acquired: true, owner: clientId, fencingToken: 3, index: 3 };
  }
  return { name, owner: null, fencingToken: null, waiters: 0, appliedIndex: 3, servedBy: 'n1' };
}

describe('LockClient.check options and withClientId', () => {
  let node: FakeLockNode;
  let client: LockClient;

  beforeAll(async () => {
    node = await startFakeLockNode(answer);
  });
  afterAll(async () => {
    await node.close();
  });
  beforeEach(() => {
    node.calls.length = 0;
    client = new LockClient({ nodes: [node.address], clientId: CLIENT_ID, requestTimeoutMs: 5000 });
  });
  afterEach(async () => {
    await client.close();
  });

  it('sends a plain check without consistency fields', async () => {
    await client.check('a');
    expect(node.calls).toEqual([{ pattern: MessagePatterns.check, payload: { name: 'a' } }]);
  });

  it('sends consistency and minIndex when asked', async () => {
    await client.check('a', { consistency: 'linearizable', minIndex: 12 });
    expect(node.calls[0]?.payload).toEqual({ name: 'a', consistency: 'linearizable', minIndex: 12 });
  });

  it.each([
    [{ consistency: 'strong' }, /consistency must be/],
    [{ minIndex: -1 }, /minIndex must be an integer from 0/],
    [{ minIndex: 1.5 }, /minIndex must be an integer from 0/],
  ])('refuses %j locally, as bad_request', async (options, message) => {
    const error = await client.check('a', options as never).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(LockClientError);
    expect((error as LockClientError).code).toBe('bad_request');
    expect((error as LockClientError).message).toMatch(message);
    expect(node.calls).toHaveLength(0);
  });

  it('acts as another owner over the same connection, which stays open when the view closes', async () => {
    const other = client.withClientId(OTHER_CLIENT_ID);
    const mine = await client.preempt('a');
    const theirs = await other.preempt('b');
    expect(mine.owner).toBe(CLIENT_ID);
    expect(theirs.owner).toBe(OTHER_CLIENT_ID);
    expect(await node.openConnections()).toBe(1);
    await other.close();
    await expect(client.check('a')).resolves.toMatchObject({ name: 'a' });
    await expect(other.check('a')).rejects.toMatchObject({ code: 'unavailable' });
  });
});
