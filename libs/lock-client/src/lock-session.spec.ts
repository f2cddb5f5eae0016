import { Logger } from '@nestjs/common';
import { MessagePatterns, WAIT_MAX_MS } from '@app/protocol';
import type { LockWatchEvent, MessagePattern } from '@app/protocol';
import { once } from 'node:events';
import { NEVER } from 'rxjs';
import { countCalls, FakeLockService, freePort, startFakeLockNode } from '../test/fake-lock-node';
import type { FakeLockNode } from '../test/fake-lock-node';
import { waitUntil } from '../test/wait-until';
import { LockClient } from './lock-client';
import { LockClientError } from './lock-client-error';
import type { LockSession } from './lock-session';

const ME = '2b1f7f3e-0c56-5d0a-9a57-3f7d2c1e8b40';
const OTHER = '9d3c1a0e-7b2f-5e4d-8c6a-1f0e2d3c4b5a';
const A_SESSION_ID = '0123456789abcdef0123456789abcdef';

async function rejectionOf(promise: Promise<unknown>): Promise<LockClientError> {
  const error = await promise.then(
    () => new Error('expected the request to fail'),
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(LockClientError);
  return error as LockClientError;
}

function payloadsOf(node: FakeLockNode, pattern: MessagePattern): unknown[] {
  return node.calls.filter((call) => call.pattern === pattern).map((call) => call.payload);
}

/** Collects a watch stream's events and its end. */
function collect(client: LockClient, name: string) {
  const seen = { events: [] as LockWatchEvent[], error: undefined as unknown, completed: false };
  const subscription = client.watch(name).subscribe({
    next: (event) => seen.events.push(event),
    error: (err: unknown) => (seen.error = err),
    complete: () => (seen.completed = true),
  });
  return { seen, subscription };
}

describe('LockClient sessions, waiting preempts and watches', () => {
  let service: FakeLockService;
  let node: FakeLockNode;
  const clients: LockClient[] = [];
  const sessions: LockSession[] = [];
  const extraNodes: FakeLockNode[] = [];
  const unhandled: unknown[] = [];
  const recordUnhandled = (reason: unknown) => unhandled.push(reason);
  let loggerError: jest.SpyInstance;

  function client(nodes: string[] = [node.address], clientId = ME, requestTimeoutMs?: number): LockClient {
    const created = new LockClient({ nodes, clientId, requestTimeoutMs });
    clients.push(created);
    return created;
  }

  async function open(
    c: LockClient,
    options?: Parameters<LockClient['openSession']>[0],
  ): Promise<LockSession> {
    const session = await c.openSession(options);
    sessions.push(session);
    return session;
  }

  async function extraNode(): Promise<FakeLockNode> {
    const started = await startFakeLockNode(service.handler);
    extraNodes.push(started);
    return started;
  }

  beforeAll(() => {
    process.on('unhandledRejection', recordUnhandled);
    loggerError = jest.spyOn(Logger.prototype, 'error');
  });

  beforeEach(async () => {
    service = new FakeLockService();
    node = await startFakeLockNode(service.handler);
  });

  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.close().catch(() => undefined)));
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all([node, ...extraNodes.splice(0)].map((n) => n.close()));
  });

  // Checked after every test, so that it holds whichever tests run, in any order.
  afterEach(() => {
    const logged = loggerError.mock.calls.map((call) => String(call[0]));
    loggerError.mockClear();
    expect(unhandled.splice(0)).toEqual([]);
    expect(logged).toEqual([]);
  });

  afterAll(() => {
    process.off('unhandledRejection', recordUnhandled);
    loggerError.mockRestore();
  });

  describe('openSession and keepalives', () => {
    it('opens a session and sends a keepalive every ttlMs/3 until closed', async () => {
      // Long enough that a stalled test process (a loaded CI machine) does not let the
      // session lapse between two keepalives; the claim is the cadence, not its speed.
      service.grantedTtlMs = 600;
      const c = client();
      const session = await open(c, { ttlMs: 5000 });
      expect(payloadsOf(node, MessagePatterns.openSession)).toEqual([{ clientId: ME, ttlMs: 5000 }]);
      expect(session).toMatchObject({ clientId: ME, ttlMs: 600, state: 'open', keepAliveIntervalMs: 200 });
      expect(session.sessionId).toMatch(/^[0-9a-f]{32}$/);

      await waitUntil('three keepalives', () => service.keepAlivesOf(session.sessionId) >= 3);
      expect(new Set(payloadsOf(node, MessagePatterns.keepAlive).map((p) => JSON.stringify(p)))).toEqual(
        new Set([JSON.stringify({ sessionId: session.sessionId })]),
      );

      // A second session serves as the clock: three of its keepalives pass while the
      // closed one must send none.
      const clock = await open(c);
      await session.close();
      expect(session.state).toBe('closed');
      expect(payloadsOf(node, MessagePatterns.closeSession)).toEqual([{ sessionId: session.sessionId }]);
      const keepAlivesAtClose =
        countCalls(node, MessagePatterns.keepAlive) - service.keepAlivesOf(clock.sessionId);
      await waitUntil(
        'three keepalives of the other session',
        () => service.keepAlivesOf(clock.sessionId) >= 3,
      );
      expect(countCalls(node, MessagePatterns.keepAlive) - service.keepAlivesOf(clock.sessionId)).toBe(
        keepAlivesAtClose,
      );
    });

    it('leaves ttlMs out when not given, and close() is idempotent', async () => {
      const session = await open(client());
      expect(payloadsOf(node, MessagePatterns.openSession)).toEqual([{ clientId: ME }]);
      expect(session.ttlMs).toBe(10_000);
      await Promise.all([session.close(), session.close()]);
      await session.close();
      expect(countCalls(node, MessagePatterns.closeSession)).toBe(1);
    });

    it('counts a session the cluster no longer knows as closed', async () => {
      const session = await open(client());
      service.expire(session.sessionId);
      await expect(session.close()).resolves.toBeUndefined();
      expect(session.state).toBe('closed');
    });

    it('is lost, once, when a keepalive is answered not_found', async () => {
      service.grantedTtlMs = 60;
      const onLost = jest.fn();
      const session = await open(client(), { onLost });
      await waitUntil('a keepalive', () => service.keepAlivesOf(session.sessionId) >= 1);
      const lost = once(session, 'lost');
      service.expire(session.sessionId);

      const [reason] = (await lost) as [string];
      expect(reason).toMatch(/no longer knows session [0-9a-f]{4}…/);
      expect(onLost).toHaveBeenCalledTimes(1);
      expect(onLost).toHaveBeenCalledWith(reason);
      expect(session.state).toBe('lost');
      expect(session.lossReason).toBe(reason);

      const sentBefore = node.calls.length;
      const refused = await rejectionOf(session.lock('after-loss'));
      expect(refused).toMatchObject({ code: 'not_found', message: expect.stringContaining('is lost') });
      expect(node.calls).toHaveLength(sentBefore);
      // Closing a lost session asks nothing and never fails.
      await expect(session.close()).resolves.toBeUndefined();
      expect(countCalls(node, MessagePatterns.closeSession)).toBe(0);
    });

    it('is lost when keepalives keep failing for ttlMs since the last success', async () => {
      service.grantedTtlMs = 300;
      const port = await freePort();
      const doomed = await startFakeLockNode(service.handler, port);
      const session = await open(client([doomed.address], ME, 100));
      await waitUntil('a keepalive', () => service.keepAlivesOf(session.sessionId) >= 1);
      const lost = once(session, 'lost');
      await doomed.close();

      // Waiting on the event, not on the clock: the reason names the TTL that ran out.
      const [reason] = (await lost) as [string];
      expect(reason).toMatch(/no keepalive of session [0-9a-f]{4}… succeeded for 300 ms; last failure: /);
      expect(session.state).toBe('lost');
    });

    it('fails keepalives over to another node like any request', async () => {
      // A TTL long enough for a failover (a refused connection, then the next node) on a
      // busy machine: the claim is that keepalives move on, not how fast.
      service.grantedTtlMs = 1_500;
      const second = await extraNode();
      const first = await extraNode();
      const session = await open(client([first.address, second.address]));
      await waitUntil(
        'a keepalive on the first node',
        () => countCalls(first, MessagePatterns.keepAlive) >= 1,
      );
      await first.close();
      await waitUntil(
        'two keepalives on the second node',
        () => countCalls(second, MessagePatterns.keepAlive) >= 2,
        20_000,
      );
      expect(session.state).toBe('open');
    });

    it('stops the keepalives of its sessions when the LockClient closes', async () => {
      const c = client();
      const session = await open(c);
      const lost = once(session, 'lost');
      await c.close();
      expect(await lost).toEqual(['the LockClient was closed']);
      expect(session.state).toBe('lost');
    });
  });

  describe('lock() and release() on a session', () => {
    it('preempts with the session and releases with it', async () => {
      const session = await open(client());
      const lock = await session.lock('build-lock', { ttlMs: 30_000 });
      expect(lock).toMatchObject({ name: 'build-lock', fencingToken: expect.any(Number) });
      expect(payloadsOf(node, MessagePatterns.preempt)).toEqual([
        {
          name: 'build-lock',
          clientId: ME,
          sessionId: session.sessionId,
          ttlMs: 30_000,
          requestId: expect.any(Number),
        },
      ]);
      // Released with the session, once however often release() is called.
      await lock.release();
      await lock.release();
      expect(payloadsOf(node, MessagePatterns.release)).toEqual([
        { name: 'build-lock', clientId: ME, sessionId: session.sessionId, requestId: expect.any(Number) },
      ]);
    });

    it('throws lock_held naming the holder when not granted', async () => {
      await client([node.address], OTHER).preempt('taken');
      const session = await open(client());
      const error = await rejectionOf(session.lock('taken', { waitMs: 0 }));
      expect(error.code).toBe('lock_held');
      expect(error.message).toMatch(new RegExp(`^taken is held by ${OTHER} \\(fencing token \\d+\\)`));
    });

    it('throws lock_lost from release() when the session ended meanwhile', async () => {
      const session = await open(client());
      const lock = await session.lock('fragile');
      service.expire(session.sessionId);
      const error = await rejectionOf(lock.release());
      expect(error).toMatchObject({ code: 'lock_lost', message: expect.stringContaining('fragile') });
    });

    it('needs no release after close(), which released the lock', async () => {
      const session = await open(client());
      const lock = await session.lock('closing');
      await session.close();
      await lock.release();
      expect(countCalls(node, MessagePatterns.release)).toBe(0);
      expect(payloadsOf(node, MessagePatterns.closeSession)).toEqual([{ sessionId: session.sessionId }]);
    });

    it('is lost when a preempt with it is answered not_found', async () => {
      const session = await open(client());
      service.expire(session.sessionId);
      const lost = once(session, 'lost');
      expect(await rejectionOf(session.lock('x'))).toMatchObject({ code: 'not_found' });
      await lost;
      expect(session.state).toBe('lost');
    });
  });

  describe('local validation', () => {
    it.each<[string, (c: LockClient) => Promise<unknown>, RegExp]>([
      [
        'a short lock TTL',
        (c) => c.preempt('x', { ttlMs: 999 }),
        /ttlMs must be an integer from 1000 to 600000/,
      ],
      ['a long lock TTL', (c) => c.preempt('x', { ttlMs: 600_001 }), /ttlMs/],
      ['a fractional TTL', (c) => c.preempt('x', { ttlMs: 1500.5 }), /ttlMs/],
      [
        'a negative wait',
        (c) => c.preempt('x', { waitMs: -1 }),
        /waitMs must be an integer from 0 to 300000/,
      ],
      ['a long wait', (c) => c.preempt('x', { waitMs: WAIT_MAX_MS + 1 }), /waitMs/],
      ['a malformed session id', (c) => c.preempt('x', { sessionId: 'ABC' }), /invalid sessionId/],
      [
        'a malformed session id on release',
        (c) => c.release('x', { sessionId: 'nope' }),
        /invalid sessionId/,
      ],
      ['a short session TTL', (c) => c.openSession({ ttlMs: 0 }), /ttlMs/],
      ['a keepalive of a malformed id', (c) => c.keepAlive('x'), /invalid sessionId/],
      ['an invalid name for a waiting preempt', (c) => c.preempt('a b', { waitMs: 10 }), /invalid lock name/],
    ])('refuses %s with bad_request before sending', async (_, call, message) => {
      const error = await rejectionOf(call(client()));
      expect(error).toMatchObject({ code: 'bad_request', message: expect.stringMatching(message) });
      expect(node.calls).toHaveLength(0);
    });

    it('accepts the bounds', async () => {
      const c = client();
      await expect(c.preempt('lo', { ttlMs: 1000, waitMs: 0, sessionId: undefined })).resolves.toMatchObject({
        acquired: true,
      });
      await expect(c.preempt('hi', { ttlMs: 600_000 })).resolves.toMatchObject({ acquired: true });
      expect(payloadsOf(node, MessagePatterns.preempt)).toEqual([
        { name: 'lo', clientId: ME, ttlMs: 1000, waitMs: 0, requestId: expect.any(Number) },
        { name: 'hi', clientId: ME, ttlMs: 600_000, requestId: expect.any(Number) },
      ]);
    });

    it('passes not_found from the service through unchanged', async () => {
      const error = await rejectionOf(client().preempt('x', { sessionId: A_SESSION_ID }));
      expect(error).toMatchObject({
        code: 'not_found',
        message: expect.stringContaining('session not found'),
      });
    });
  });

  describe('watch', () => {
    it('streams the changes of one lock as they happen', async () => {
      const watcher = client();
      const { seen, subscription } = collect(watcher, 'build-lock');
      await waitUntil('the watch to reach the node', () => countCalls(node, MessagePatterns.watch) === 1);
      expect(payloadsOf(node, MessagePatterns.watch)).toEqual([{ name: 'build-lock' }]);

      const other = client([node.address], OTHER);
      const grant = await other.preempt('build-lock');
      await other.preempt('unrelated');
      await other.release('build-lock');
      await waitUntil('two events', () => seen.events.length >= 2);
      expect(seen.events).toEqual([
        {
          type: 'granted',
          name: 'build-lock',
          owner: OTHER,
          fencingToken: grant.fencingToken,
          index: grant.fencingToken,
        },
        {
          type: 'released',
          name: 'build-lock',
          owner: OTHER,
          fencingToken: grant.fencingToken,
          index: expect.any(Number),
        },
      ]);
      subscription.unsubscribe();
    });

    it('uses a connection of its own: a request timing out does not end it, unsubscribing closes it', async () => {
      node.handler = (pattern, payload) =>
        pattern === MessagePatterns.check ? NEVER : service.handler(pattern, payload);
      const c = client([node.address], ME, 100);
      await c.preempt('warm-up'); // opens the shared request connection
      const before = await node.openConnections();
      const { seen, subscription } = collect(c, 'sturdy');
      await waitUntil('the watch to reach the node', () => countCalls(node, MessagePatterns.watch) === 1);
      expect(await node.openConnections()).toBe(before + 1);

      expect(await rejectionOf(c.check('sturdy'))).toMatchObject({ code: 'unavailable' });
      await c.preempt('sturdy');
      await waitUntil('the grant event', () => seen.events.length === 1);
      expect(seen.error).toBeUndefined();

      subscription.unsubscribe();
      await waitUntil('the watch connection to close', async () => (await node.openConnections()) === before);
    });

    it('connects to the next node when the first is down', async () => {
      const down = `127.0.0.1:${await freePort()}`;
      const { seen } = collect(client([down, node.address]), 'x');
      await waitUntil(
        'the watch to reach the live node',
        () => countCalls(node, MessagePatterns.watch) === 1,
      );
      await client().preempt('x');
      await waitUntil('an event', () => seen.events.length === 1);
    });

    it('errors with unavailable when the serving node goes away', async () => {
      const doomed = await extraNode();
      const { seen } = collect(client([doomed.address]), 'x');
      await waitUntil('the watch to reach the node', () => countCalls(doomed, MessagePatterns.watch) === 1);
      await doomed.close();
      const error = await waitUntil('the stream to fail', () => seen.error as LockClientError | undefined);
      expect(error).toBeInstanceOf(LockClientError);
      expect(error).toMatchObject({
        code: 'unavailable',
        message: expect.stringContaining(`the watch of x on ${doomed.address} ended`),
      });
    });

    it('errors with unavailable when no node accepts it, and bad_request for a bad name', async () => {
      const down = `127.0.0.1:${await freePort()}`;
      const { seen } = collect(client([down]), 'x');
      const error = await waitUntil('the stream to fail', () => seen.error as LockClientError | undefined);
      expect(error).toMatchObject({ code: 'unavailable', message: expect.stringContaining(down) });

      const bad = collect(client(), 'no spaces');
      expect(
        await waitUntil('the stream to fail', () => bad.seen.error as LockClientError | undefined),
      ).toMatchObject({ code: 'bad_request' });
      expect(node.calls).toHaveLength(0);
    });

    it('fails its streams when the LockClient closes', async () => {
      const c = client();
      const { seen } = collect(c, 'x');
      await waitUntil('the watch to reach the node', () => countCalls(node, MessagePatterns.watch) === 1);
      await c.close();
      const error = await waitUntil('the stream to fail', () => seen.error as LockClientError | undefined);
      expect(error).toMatchObject({ code: 'unavailable', message: 'the LockClient is closed' });
    });

    it('is an async iterable too, closed when the loop is left', async () => {
      const c = client();
      const received: LockWatchEvent[] = [];
      const loop = (async () => {
        for await (const event of c.watchAsync('iter')) {
          received.push(event);
          if (received.length === 2) break;
        }
      })();
      await waitUntil('the watch to reach the node', () => countCalls(node, MessagePatterns.watch) === 1);
      const session = await open(c);
      const lock = await session.lock('iter');
      await lock.release();
      await loop;
      expect(received.map((e) => e.type)).toEqual(['granted', 'released']);
      await waitUntil('the watch connection to close', async () => (await node.openConnections()) === 1);
    });

    it('throws the stream error from the loop', async () => {
      const c = client([`127.0.0.1:${await freePort()}`]);
      const iterate = async () => {
        for await (const event of c.watchAsync('x')) void event;
      };
      expect(await rejectionOf(iterate())).toMatchObject({ code: 'unavailable' });
    });
  });
});
