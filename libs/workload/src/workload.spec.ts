import type { HistoryRecord } from '@app/history-checker';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { startScriptedLockServer, type ScriptedLockServer } from '../test/scripted-lock-server';
import { awaitConvergence, observeRoles } from './cluster-probe';
import { performLockCall, type LockCall } from './http-lock-call';
import { finalReads, runRecordedWorkload } from './recorded-workload';
import { SeededRandom } from './seeded-random';

/** A loopback port nothing listens on (bound, then closed). */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `127.0.0.1:${port}`;
}

describe('the recorded workload and its HTTP calls', () => {
  let a: ScriptedLockServer;
  let b: ScriptedLockServer;

  beforeAll(async () => {
    [a, b] = await Promise.all([startScriptedLockServer('n1'), startScriptedLockServer('n2')]);
  });

  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
  });

  beforeEach(() => {
    a.reset();
    b.reset();
  });

  const call = (f: LockCall['f'], extra: Partial<LockCall> = {}): LockCall => ({
    opId: `op-${f}`,
    client: 'client-1',
    key: 'a key/with slash',
    f,
    node: a.address,
    ...extra,
  });

  describe('performLockCall', () => {
    it('sends a preempt as a POST with the clientId, and records the answer with its status as ok', async () => {
      const record = await performLockCall(call('preempt'), 5000);
      expect(a.seen).toEqual([
        { method: 'POST', url: '/locks/a%20key%2Fwith%20slash/preempt', body: { clientId: 'client-1' } },
      ]);
      expect(record).toMatchObject({
        opId: 'op-preempt',
        type: 'ok',
        result: { acquired: true, status: 200 },
      });
      expect(record.tComplete).toBeGreaterThanOrEqual(record.tInvoke);
    });

    it('counts a 409 refusal as an answer, a 4xx as failed before anything was proposed, a 5xx as unknown', async () => {
      a.script = () => ({ status: 409, body: { acquired: false, owner: 'other' } });
      expect(await performLockCall(call('preempt'), 5000)).toMatchObject({
        type: 'ok',
        result: { acquired: false, owner: 'other', status: 409 },
      });
      a.script = () => ({ status: 400, body: { error: 'bad_request' } });
      expect(await performLockCall(call('release'), 5000)).toMatchObject({
        type: 'fail',
        result: { status: 400, error: 'bad_request' },
      });
      a.script = () => ({ status: 503, text: 'no leader' });
      const unknown = await performLockCall(call('release'), 5000);
      expect(unknown).toMatchObject({ type: 'info', result: { status: 503 } });
    });

    it('asks for a linearizable check only when the call says so', async () => {
      await performLockCall(call('check', { linearizable: true }), 5000);
      await performLockCall(call('check'), 5000);
      expect(a.seen.map((s) => `${s.method} ${s.url}`)).toEqual([
        'GET /locks/a%20key%2Fwith%20slash?consistency=linearizable',
        'GET /locks/a%20key%2Fwith%20slash',
      ]);
    });

    it('records a request that never reached a node as failed, and one without an answer in time as unknown', async () => {
      const refused = await performLockCall(call('preempt', { node: await closedPort() }), 5000);
      expect(refused).toMatchObject({ type: 'fail', result: { error: 'ECONNREFUSED' } });
      a.script = () => 'hang';
      const timedOut = await performLockCall(call('preempt'), 200);
      expect(timedOut).toMatchObject({ type: 'info', result: { error: 'TimeoutError' } });
    });
  });

  describe('runRecordedWorkload', () => {
    it('runs clients with one operation outstanding each, recording every operation once', async () => {
      const reported: HistoryRecord[] = [];
      let stopAfter = 60;
      const records = await runRecordedWorkload({
        servers: [a.address, b.address],
        durationMs: 60_000,
        clients: 3,
        keys: ['x', 'y'],
        requestTimeoutMs: 5000,
        seed: 7,
        onRecord: (record) => reported.push(record),
        stopWhen: () => --stopAfter < 0,
      });
      expect(records.length).toBeGreaterThan(0);
      expect(reported).toEqual(records);
      expect(new Set(records.map((r) => r.opId)).size).toBe(records.length);
      expect(new Set(records.map((r) => r.f))).toEqual(new Set(['preempt', 'release', 'check']));
      // Client 0 is pinned to the first server; the last two pick either.
      const byClient = new Map<string, HistoryRecord[]>();
      for (const r of records) {
        const [client = ''] = r.opId.split('-');
        byClient.set(client, [...(byClient.get(client) ?? []), r]);
      }
      expect(new Set(byClient.get('c0')!.map((r) => r.node))).toEqual(new Set([a.address]));
      for (const ops of byClient.values()) {
        ops
          .slice(1)
          .forEach((op, i) => expect(op.tInvoke).toBeGreaterThanOrEqual(ops[i]?.tComplete ?? Infinity));
      }
      // Every answered release came from a client that had been granted that lock, or was refused.
      for (const r of records.filter((r) => r.f === 'release' && r.type === 'ok')) {
        const granted = records.some(
          (g) => g.client === r.client && g.key === r.key && g.f === 'preempt' && g.result?.acquired === true,
        );
        expect(granted || r.result?.released === false).toBe(true);
      }
    });

    it('starts nothing once told to stop, and backs off after a failure', async () => {
      const none = await runRecordedWorkload({
        servers: [a.address],
        durationMs: 60_000,
        clients: 2,
        keys: ['x'],
        requestTimeoutMs: 1000,
        seed: 1,
        stopWhen: () => true,
      });
      expect(none).toEqual([]);
      a.script = () => ({ status: 503, body: {} });
      let calls = 0;
      const failing = await runRecordedWorkload({
        servers: [a.address],
        durationMs: 60_000,
        clients: 1,
        keys: ['x'],
        requestTimeoutMs: 1000,
        seed: 1,
        stopWhen: () => ++calls > 3,
      });
      expect(failing.map((r) => r.type)).toEqual(['info', 'info', 'info']);
    });
  });

  describe('finalReads', () => {
    it('reads each key linearizably, trying the next server until one answers', async () => {
      a.script = () => ({ status: 503, body: {} });
      const records = await finalReads([a.address, b.address], ['x', 'y'], 1000, 3);
      expect(records.map((r) => [r.key, r.node, r.type])).toEqual([
        ['x', a.address, 'info'],
        ['x', b.address, 'ok'],
        ['y', a.address, 'info'],
        ['y', b.address, 'ok'],
      ]);
      expect(b.seen.map((s) => s.url)).toEqual([
        '/locks/x?consistency=linearizable',
        '/locks/y?consistency=linearizable',
      ]);
    });

    it('gives up on a key after its attempts', async () => {
      a.script = () => ({ status: 503, body: {} });
      const records = await finalReads([a.address], ['x'], 1000, 2);
      expect(records.map((r) => r.type)).toEqual(['info', 'info']);
    });
  });

  describe('cluster probes', () => {
    it('observeRoles reports what every answering node says of itself and leaves out the rest', async () => {
      a.view.role = 'leader';
      const roles = await observeRoles([a.address, await closedPort(), b.address], 1000);
      expect(roles).toEqual([
        { node: 'n1', term: 1, role: 'leader' },
        { node: 'n2', term: 1, role: 'follower' },
      ]);
      a.view.role = 'follower';
    });

    it('awaitConvergence is done once every node has the same applied index and locks', async () => {
      a.view.appliedIndex = 5;
      b.view.appliedIndex = 5;
      const { converged, snapshots } = await awaitConvergence([a.address, b.address], 5000, 1000);
      expect(converged).toBe(true);
      expect(snapshots).toEqual([
        { node: 'n1', appliedIndex: 5, locks: '[]' },
        { node: 'n2', appliedIndex: 5, locks: '[]' },
      ]);
    });

    it('awaitConvergence reports the last snapshots, not converged, when nodes still differ at the deadline', async () => {
      await performLockCall(call('preempt', { key: 'held' }), 5000);
      const { converged, snapshots } = await awaitConvergence([a.address, b.address], 300, 1000);
      expect(converged).toBe(false);
      expect(snapshots.map((s) => s.locks)).toEqual([expect.stringContaining('"held"'), '[]']);
      const down = await awaitConvergence([await closedPort()], 0, 1000);
      expect(down).toEqual({ snapshots: [], converged: false });
    });
  });

  it('SeededRandom picks follow the seed and stay in range', () => {
    const draws = (seed: number) => {
      const rng = new SeededRandom(seed);
      return Array.from({ length: 20 }, () => rng.pick(['p', 'q', 'r']));
    };
    expect(draws(3)).toEqual(draws(3));
    expect(new Set(draws(3))).toEqual(new Set(['p', 'q', 'r']));
    expect(() => new SeededRandom(1).pick([])).toThrow('no item to pick at index 0 (of 0)');
  });
});
