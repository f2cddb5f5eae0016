import { Logger } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { MessagePatterns } from '@app/protocol';
import type { MemberAddress, MessagePattern, PreemptLockResponse, RpcErrorBody } from '@app/protocol';
import { NEVER } from 'rxjs';
import { validate as isUuid, version as uuidVersion } from 'uuid';
import { freePort, startFakeLockNode } from '../test/fake-lock-node';
import type { FakeHandler, FakeLockNode } from '../test/fake-lock-node';
import { defaultClientId } from './default-client-id';
import { LockClient } from './lock-client';
import { LockClientError } from './lock-client-error';
import { defined } from '../test/defined';

const CLIENT_ID = '2b1f7f3e-0c56-5d0a-9a57-3f7d2c1e8b40';

/** Answers like a healthy leader whose name is `servedBy`. */
function healthy(servedBy: string): FakeHandler {
  return (pattern: MessagePattern, payload: unknown) => {
    const { name } = payload as { name: string };
    switch (pattern) {
      case MessagePatterns.preempt:
        return {
          name,
          acquired: true,
          owner: CLIENT_ID,
          fencingToken: 42,
          index: 7,
        } satisfies PreemptLockResponse;
      case MessagePatterns.release:
        return { name, released: false, reason: 'not_owner', owner: 'someone-else' };
      case MessagePatterns.check:
        return { name, owner: null, fencingToken: null, appliedIndex: 7, servedBy };
      case MessagePatterns.list:
        return [{ name: 'a', owner: CLIENT_ID, fencingToken: 1 }];
      default:
        return {
          id: servedBy,
          role: 'leader',
          term: 1,
          leaderId: servedBy,
          commitIndex: 7,
          appliedIndex: 7,
          lastIndex: 7,
          members: [],
        };
    }
  };
}

function failingWith(body: RpcErrorBody): FakeHandler {
  return () => {
    throw new RpcException(body);
  };
}

/**
 * A handler that holds every answer until the test releases them: a slow node whose
 * slowness is set by the test, not by a clock.
 */
function heldAnswers(answer: FakeHandler): {
  handler: FakeHandler;
  arrived(count: number): Promise<void>;
  answerAll(): void;
} {
  const held: Array<() => void> = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  let received = 0;
  return {
    handler: (pattern, payload) => {
      received++;
      for (const waiter of waiters.filter((w) => w.count <= received)) waiter.resolve();
      // Resolved with a promise of the answer, so a throwing `answer` rejects it.
      return new Promise((resolve) => {
        held.push(() => resolve(Promise.resolve().then(() => answer(pattern, payload))));
      });
    },
    arrived: (count) =>
      count <= received ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve })),
    answerAll: () => held.splice(0).forEach((release) => release()),
  };
}

function member(tcpAddress: string): MemberAddress {
  return { id: 'leader', tcpAddress, httpAddress: '127.0.0.1:1' };
}

async function rejectionOf(promise: Promise<unknown>): Promise<LockClientError> {
  const error = await promise.then(
    () => new Error('expected the request to fail'),
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(LockClientError);
  return error as LockClientError;
}

describe('LockClient', () => {
  let first: FakeLockNode;
  let second: FakeLockNode;
  let downAddress: string;
  const clients: LockClient[] = [];
  const unhandled: unknown[] = [];
  const recordUnhandled = (reason: unknown) => unhandled.push(reason);
  let loggerError: jest.SpyInstance;

  function client(nodes: string[], requestTimeoutMs?: number): LockClient {
    const created = new LockClient({ nodes, clientId: CLIENT_ID, requestTimeoutMs });
    clients.push(created);
    return created;
  }

  beforeAll(async () => {
    process.on('unhandledRejection', recordUnhandled);
    loggerError = jest.spyOn(Logger.prototype, 'error');
    first = await startFakeLockNode(healthy('first'));
    second = await startFakeLockNode(healthy('second'));
    downAddress = `127.0.0.1:${await freePort()}`;
  });

  beforeEach(() => {
    first.calls.length = 0;
    second.calls.length = 0;
    first.handler = healthy('first');
    second.handler = healthy('second');
  });

  // Checked after every test, so that it holds whichever tests run, in any order.
  afterEach(() => {
    const logged = loggerError.mock.calls.map((call) => String(call[0]));
    loggerError.mockClear();
    expect(unhandled.splice(0)).toEqual([]);
    expect(logged).toEqual([]);
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all([first.close(), second.close()]);
    process.off('unhandledRejection', recordUnhandled);
    loggerError.mockRestore();
  });

  it('sends each operation to the first node with the protocol payload', async () => {
    const c = client([first.address, second.address]);
    await expect(c.preempt('build-lock')).resolves.toMatchObject({ acquired: true, fencingToken: 42 });
    await expect(c.release('build-lock')).resolves.toMatchObject({ released: false, reason: 'not_owner' });
    await expect(c.check('build-lock')).resolves.toMatchObject({ owner: null, servedBy: 'first' });
    await expect(c.list('a')).resolves.toEqual([{ name: 'a', owner: CLIENT_ID, fencingToken: 1 }]);
    await expect(c.clusterStatus()).resolves.toMatchObject({ id: 'first', role: 'leader' });
    expect(first.calls).toEqual([
      {
        pattern: MessagePatterns.preempt,
        payload: { name: 'build-lock', clientId: CLIENT_ID, requestId: expect.any(Number) },
      },
      {
        pattern: MessagePatterns.release,
        payload: { name: 'build-lock', clientId: CLIENT_ID, requestId: expect.any(Number) },
      },
      { pattern: MessagePatterns.check, payload: { name: 'build-lock' } },
      { pattern: MessagePatterns.list, payload: { prefix: 'a' } },
      { pattern: MessagePatterns.clusterStatus, payload: {} },
    ]);
    expect(second.calls).toHaveLength(0);
  });

  it('numbers every write with its own requestId, and a retry of one write reuses it', async () => {
    // The first node receives the write and fails it retryably, so the SDK retries it on the second.
    first.handler = failingWith({ code: 'unavailable', message: 'the leader went away' });
    const c = client([first.address, second.address]);
    await c.preempt('retried');
    await c.preempt('retried');
    const idsAt = (node: FakeLockNode) =>
      node.calls
        .filter((call) => call.pattern === MessagePatterns.preempt)
        .map((call) => (call.payload as { requestId: number }).requestId);
    const attempted = defined(idsAt(first)[0], 'the first attempt');
    const [retried, next] = idsAt(second);
    expect(attempted).toEqual(expect.any(Number));
    expect(retried).toBe(attempted);
    expect(next).toEqual(expect.any(Number));
    expect(next).not.toBe(retried);
  });

  it('fails over to the next node when the current one is down, and stays there', async () => {
    const c = client([downAddress, second.address]);
    await expect(c.check('x')).resolves.toMatchObject({ servedBy: 'second' });
    expect(c.currentNode).toBe(second.address);
    await expect(c.check('y')).resolves.toMatchObject({ servedBy: 'second' });
    expect(second.calls).toHaveLength(2);
  });

  it('fails over when a node times out', async () => {
    first.handler = () => NEVER;
    const c = client([first.address, second.address], 200);
    await expect(c.check('x')).resolves.toMatchObject({ servedBy: 'second' });
    expect(first.calls).toHaveLength(1);
  });

  describe('with a fake clock', () => {
    // Only the clock is fake: sockets, microtasks and setImmediate stay real, so requests
    // travel over real TCP while time moves only when a test advances it.
    beforeEach(() => {
      jest.useFakeTimers({
        doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'queueMicrotask', 'hrtime'],
      });
    });
    afterEach(() => {
      jest.useRealTimers();
    });

    it('gives a waiting preempt waitMs on top of the request timeout', async () => {
      // The node holds its answer while five times the request timeout passes, as a queue would.
      const slow = heldAnswers(healthy('first'));
      first.handler = slow.handler;
      const c = client([first.address, second.address], 200);
      const waiting = c.preempt('queued', { waitMs: 1000 });
      await slow.arrived(1);
      await jest.advanceTimersByTimeAsync(1000);
      slow.answerAll();
      await expect(waiting).resolves.toMatchObject({ acquired: true });
      expect(second.calls).toHaveLength(0);
      const sent = defined(first.calls[0], 'a call to the first node').payload;
      expect(sent).toEqual({
        name: 'queued',
        clientId: CLIENT_ID,
        waitMs: 1000,
        requestId: expect.any(Number),
      });
    });

    it('retries a waiting preempt on another node with only the wait that is left', async () => {
      const failing = heldAnswers(() => {
        throw new RpcException({
          code: 'unavailable',
          message: 'the leader went away',
        } satisfies RpcErrorBody);
      });
      first.handler = failing.handler;
      const c = client([first.address, second.address]);
      const waiting = c.preempt('queued', { waitMs: 1000, ttlMs: 5000 });
      await failing.arrived(1);
      // 300 ms of the wait pass on the first node before it fails.
      await jest.advanceTimersByTimeAsync(300);
      failing.answerAll();
      await expect(waiting).resolves.toMatchObject({ acquired: true });
      const retried = defined(second.calls[0], 'a call to the second node').payload;
      expect(retried).toMatchObject({ name: 'queued', ttlMs: 5000, waitMs: 700 });
    });
  });

  it.each(['unavailable', 'no_leader', 'timeout'] as const)(
    'fails over on an RpcErrorBody %s',
    async (code) => {
      first.handler = failingWith({ code, message: 'try elsewhere' });
      const c = client([first.address, second.address]);
      await expect(c.preempt('x')).resolves.toMatchObject({ acquired: true });
      expect(second.calls).toHaveLength(1);
    },
  );

  it('throws bad_request without trying other nodes', async () => {
    first.handler = failingWith({ code: 'bad_request', message: 'name is reserved' });
    const c = client([first.address, second.address]);
    const error = await rejectionOf(c.preempt('reserved'));
    expect(error).toMatchObject({ code: 'bad_request', message: 'name is reserved' });
    expect(first.calls).toHaveLength(1);
    expect(second.calls).toHaveLength(0);
  });

  it('refuses an invalid lock name locally', async () => {
    const c = client([first.address]);
    expect(await rejectionOf(c.preempt('no spaces'))).toMatchObject({ code: 'bad_request' });
    expect(first.calls).toHaveLength(0);
  });

  it('throws unavailable naming every address when all nodes fail', async () => {
    first.handler = failingWith({ code: 'no_leader', message: 'election running' });
    const c = client([downAddress, first.address]);
    const error = await rejectionOf(c.check('x'));
    expect(error.code).toBe('unavailable');
    expect(error.message).toContain(downAddress);
    expect(error.message).toContain(`${first.address} (no_leader: election running)`);
    // Two full cycles over the two nodes.
    expect(first.calls).toHaveLength(2);
  });

  it('follows a not_leader hint to an address it did not know', async () => {
    first.handler = failingWith({
      code: 'not_leader',
      message: 'ask the leader',
      leader: member(second.address),
    });
    const c = client([first.address]);
    await expect(c.preempt('x')).resolves.toMatchObject({ acquired: true });
    expect(c.currentNode).toBe(second.address);
    await expect(c.release('x')).resolves.toMatchObject({ released: false });
    expect(first.calls).toHaveLength(1);
    expect(second.calls).toHaveLength(2);
  });

  it('reconnects with a fresh connection once a down node comes back', async () => {
    const port = await freePort();
    const c = client([`127.0.0.1:${port}`]);
    expect((await rejectionOf(c.check('x'))).code).toBe('unavailable');
    const revived = await startFakeLockNode(healthy('revived'), port);
    try {
      await expect(c.check('x')).resolves.toMatchObject({ servedBy: 'revived' });
    } finally {
      await revived.close();
    }
  });

  it('refuses requests once closed', async () => {
    const c = client([first.address]);
    await c.close();
    expect(await rejectionOf(c.check('x'))).toMatchObject({ code: 'unavailable', message: /closed/ });
    expect(first.calls).toHaveLength(0);
  });

  it('validates its options', () => {
    expect(() => new LockClient({ nodes: [], clientId: CLIENT_ID })).toThrow(/at least one node/);
    expect(() => new LockClient({ nodes: ['host:notaport'], clientId: CLIENT_ID })).toThrow(
      /invalid node address/,
    );
    expect(() => new LockClient({ nodes: ['127.0.0.1:1'], clientId: 'bob' })).toThrow(/clientId/);
    expect(
      () => new LockClient({ nodes: ['127.0.0.1:1'], clientId: CLIENT_ID, requestTimeoutMs: 0 }),
    ).toThrow(/requestTimeoutMs/);
  });
});

describe('defaultClientId', () => {
  it('is a stable uuid v5', () => {
    const id = defaultClientId();
    expect(isUuid(id)).toBe(true);
    expect(uuidVersion(id)).toBe(5);
    expect(defaultClientId()).toBe(id);
  });
});
