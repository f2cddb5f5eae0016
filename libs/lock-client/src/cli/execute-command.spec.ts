import { MessagePatterns } from '@app/protocol';
import { FakeLockService, startFakeLockNode } from '../../test/fake-lock-node';
import type { FakeLockNode } from '../../test/fake-lock-node';
import { LockClient } from '../lock-client';
import type { LockSession } from '../lock-session';
import { executeCommand, isRefusal } from './execute-command';
import type { CommandOutcome } from './execute-command';

const ME = '2b1f7f3e-0c56-5d0a-9a57-3f7d2c1e8b40';

function resultOf(outcome: CommandOutcome) {
  if (!outcome.ok) throw new Error(`expected success, got ${JSON.stringify(outcome.failure)}`);
  return outcome.result;
}

describe('executeCommand with sessions', () => {
  let service: FakeLockService;
  let node: FakeLockNode;
  let client: LockClient;

  beforeEach(async () => {
    service = new FakeLockService();
    node = await startFakeLockNode(service.handler);
    client = new LockClient({ nodes: [node.address], clientId: ME });
  });

  afterEach(async () => {
    await client.close();
    await node.close();
  });

  it('opens a session, preempts and releases with it implicitly, then closes it', async () => {
    const opened = resultOf(await executeCommand(client, { op: 'session-open', ttlMs: 2000 }));
    if (opened.op !== 'session-open') throw new Error('wrong result');
    const session: LockSession = opened.session;
    expect(opened.response).toEqual({ sessionId: session.sessionId, clientId: ME, ttlMs: 2000 });

    const context = { session };
    const preempted = resultOf(
      await executeCommand(client, { op: 'preempt', name: 'b', waitMs: 100 }, context),
    );
    expect(isRefusal(preempted)).toBe(false);
    resultOf(await executeCommand(client, { op: 'release', name: 'b' }, context));
    const sent = node.calls.filter((c) => c.pattern !== MessagePatterns.keepAlive).map((c) => c.payload);
    expect(sent.slice(1)).toEqual([
      {
        name: 'b',
        clientId: ME,
        waitMs: expect.any(Number),
        sessionId: session.sessionId,
        requestId: expect.any(Number),
      },
      { name: 'b', clientId: ME, sessionId: session.sessionId, requestId: expect.any(Number) },
    ]);

    const again = await executeCommand(client, { op: 'session-open' }, context);
    expect(again).toMatchObject({
      ok: false,
      failure: { error: 'usage', message: expect.stringContaining('open already') },
    });

    const closed = resultOf(await executeCommand(client, { op: 'session-close' }, context));
    expect(closed.response).toEqual({ sessionId: session.sessionId, closed: true });
    expect(session.state).toBe('closed');
  });

  it('closes a session by id, and says not_found for an ended one', async () => {
    const session = await client.openSession();
    resultOf(await executeCommand(client, { op: 'session-close', sessionId: session.sessionId }));
    const gone = await executeCommand(client, { op: 'session-close', sessionId: session.sessionId });
    expect(gone).toMatchObject({ ok: false, failure: { error: 'not_found' } });
    await session.close();
  });

  it('needs an id to close a session when none is open', async () => {
    const outcome = await executeCommand(client, { op: 'session-close' });
    expect(outcome).toMatchObject({
      ok: false,
      failure: { error: 'usage', message: expect.stringContaining('--session ID') },
    });
  });
});
