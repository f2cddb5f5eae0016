import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './support/free-port';
import { waitFor } from './support/wait-for';
import { LatchkeyNodes } from './support/twopc-latchkey-nodes';
import {
  TwoPcProcesses,
  type ReplicaView,
  type TransactionView,
  type WriteAnswer,
} from './support/twopc-processes';

/**
 * The two-phase-commit register on real processes: a Latchkey cluster, three replicas
 * (each a Nest TCP microservice with its own fsync'd log) and two coordinators (the
 * second a standby). Failures are placed with TWOPC_PAUSE_AT test hooks: the process
 * stops itself at a named step and says so, and the test then kills, freezes or resumes it.
 */
// Each test starts five processes; on a machine shared with other builds that can take a while.
jest.setTimeout(240_000);

describe('two-phase commit register', () => {
  let cluster: LatchkeyNodes | null = null;
  let twopc: TwoPcProcesses | null = null;

  beforeAll(async () => {
    cluster = await LatchkeyNodes.start();
  });

  afterEach(async () => {
    await twopc?.stop();
    twopc = null;
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  const servers = () => {
    if (cluster === null) throw new Error('the Latchkey cluster did not start');
    return cluster.tcpAddresses;
  };

  /** PUT /register, retried only while the coordinator answers 503 (a replica still reconnecting). */
  async function writeWhenReady(group: TwoPcProcesses, via: string, value: string) {
    return waitFor(`${via} to take the write of ${value}`, async () => {
      const answer = await group.http<WriteAnswer>('PUT', via, '/register', { value });
      return answer.status === 503 ? false : answer;
    });
  }

  async function agreeing(
    group: TwoPcProcesses,
    via: string,
    expected: { value: string | null; version: number },
  ) {
    return waitFor(`every replica at ${JSON.stringify(expected)}, idle`, async () => {
      const replicas = await group.replicas(via);
      const all = replicas.every(
        (r) => r.state === 'idle' && r.value === expected.value && r.version === expected.version,
      );
      return all ? replicas : false;
    });
  }

  it('commits each write on every replica or on none, over many rounds of random votes', async () => {
    twopc = await TwoPcProcesses.create({ servers: servers(), abortProbability: 0.3, coordinators: 1 });
    await twopc.startAll();
    let committed = { value: null as string | null, version: 0 };
    const outcomes = { commit: 0, abort: 0 };
    for (let round = 1; round <= 20; round++) {
      const value = `v${round}`;
      // Every fifth write carries a stale expectedVersion: a replica must vote no on it.
      const stale = round % 5 === 0 && committed.version > 0;
      const body = stale ? { value, expectedVersion: committed.version - 1 } : { value };
      const answer = await twopc.http<WriteAnswer>('PUT', 'c1', '/register', body);
      expect([200, 409]).toContain(answer.status);
      const tx = (await twopc.http<TransactionView>('GET', 'c1', `/transactions/${answer.body.txId}`)).body;
      const allYes =
        Object.values(tx.votes).length === 3 && Object.values(tx.votes).every((v) => v === 'yes');
      expect(tx.decision).toBe(allYes ? 'commit' : 'abort');
      expect(answer.status).toBe(allYes ? 200 : 409);
      if (stale) expect(tx.decision).toBe('abort');
      if (tx.decision === 'commit') committed = { value, version: committed.version + 1 };
      outcomes[tx.decision ?? 'abort']++;
      const replicas = await agreeing(twopc, 'c1', committed);
      expect(replicas.map((r) => r.id)).toEqual(['r1', 'r2', 'r3']);
    }
    expect(outcomes.commit).toBeGreaterThan(0);
    expect(outcomes.abort).toBeGreaterThan(0);
    expect((await twopc.http('GET', 'c1', '/register')).body).toEqual(committed);
  });

  it('the demo writes its rounds, prints a transcript and a summary, and reports consistent JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-twopc-demo-'));
    try {
      const json = join(dir, 'out.json');
      const bundle = resolve(__dirname, '..', 'dist', 'apps', 'twopc', 'main.js');
      const args = ['--replicas', '3', '--rounds', '4', '--abort-probability', '0.3', '--json', json];
      args.push('--servers', servers().join(','), '--http-port', String(await freePort()), '--standbys', '0');
      const { stdout } = await promisify(execFile)(process.execPath, [bundle, ...args], { timeout: 200_000 });
      expect(stdout).toMatch(/#4 tx-\d+-\d+ {2}write "v4"/);
      expect(stdout).toContain('all replicas agree: yes');
      const report = JSON.parse(readFileSync(json, 'utf8')) as {
        rounds: number;
        committed: number;
        aborted: number;
        consistent: boolean;
        replicas: { id: string; value: string | null; version: number }[];
        transactions: {
          txId: string;
          votes: Record<string, string>;
          decision: string;
          reason: string | null;
        }[];
      };
      expect(report).toMatchObject({ rounds: 4, consistent: true });
      expect(report.committed + report.aborted).toBe(4);
      expect(report.replicas.map((r) => r.version)).toEqual(Array(3).fill(report.committed));
      for (const tx of report.transactions) {
        const allYes = Object.values(tx.votes).every((vote) => vote === 'yes');
        expect(tx.decision).toBe(allYes ? 'commit' : 'abort');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('aborts a transaction whose replica is killed during prepare; the replica restarts and catches up', async () => {
    twopc = await TwoPcProcesses.create({ servers: servers(), coordinators: 1 });
    await twopc.startAll({ r2: { TWOPC_PAUSE_AT: 'prepared-durable' } });
    const write = twopc.http<WriteAnswer>('PUT', 'c1', '/register', { value: 'lost' });
    // r2 has its yes vote on disk but has not sent it.
    const txId = await twopc.waitForHook('r2', 'prepared-durable');
    await twopc.kill('r2', 'SIGKILL');
    const answer = await write;
    expect(answer.status).toBe(409);
    expect(answer.body).toMatchObject({
      committed: false,
      txId,
      votes: { r1: 'yes', r2: 'timeout', r3: 'yes' },
    });
    twopc.start('r2');
    // r2 recovers its prepared write from its log and learns the abort instead of guessing.
    await agreeing(twopc, 'c1', { value: null, version: 0 });
    expect(twopc.log('r2')).toContain(`in doubt on ${txId}`);
    const next = await writeWhenReady(twopc, 'c1', 'after');
    expect(next.body).toMatchObject({ committed: true, version: 1 });
    await agreeing(twopc, 'c1', { value: 'after', version: 1 });
  });

  it('a standby takes over from a killed coordinator and delivers its durable decision', async () => {
    twopc = await TwoPcProcesses.create({ servers: servers() });
    await twopc.startAll({ c1: { TWOPC_PAUSE_AT: 'decision-durable' } });
    const write = twopc.http<WriteAnswer>('PUT', 'c1', '/register', { value: 'durable' }).catch(() => null);
    const txId = await twopc.waitForHook('c1', 'decision-durable');
    // Every replica voted yes and waits for the decision that only c1's log holds.
    const prepared = await twopc.replicas('c2');
    expect(prepared.map((r) => [r.state, r.preparedTxId])).toEqual(Array(3).fill(['prepared', txId]));
    await twopc.kill('c1', 'SIGKILL');
    expect(await write).toBeNull();
    const c2 = await twopc.waitForActive('c2');
    const replicas = await agreeing(twopc, 'c2', { value: 'durable', version: 1 });
    expect(replicas.every((r: ReplicaView) => r.highestToken === c2.fencingToken)).toBe(true);
    const tx = (await twopc.http<TransactionView>('GET', 'c2', `/transactions/${txId}`)).body;
    expect(tx).toMatchObject({ decision: 'commit', complete: true });
  });

  it('refuses a stale coordinator that wakes up after a standby took over', async () => {
    twopc = await TwoPcProcesses.create({ servers: servers() });
    await twopc.startAll({ c1: { TWOPC_PAUSE_AT: 'votes-collected' } });
    const write = twopc.http<WriteAnswer>('PUT', 'c1', '/register', { value: 'stale' });
    // c1 has three yes votes and stops itself (SIGSTOP) before deciding.
    const txId = await twopc.waitForHook('c1', 'votes-collected');
    const staleToken = Number(txId.split('-')[1]);
    const c2 = await twopc.waitForActive('c2');
    expect(c2.fencingToken).toBeGreaterThan(staleToken);
    // c2 found no decision in the log: it aborts the transaction (presumed abort).
    await agreeing(twopc, 'c2', { value: null, version: 0 });
    twopc.signal('c1', 'SIGCONT');
    // c1 now decides commit and tells the replicas, under its old token: all refuse.
    const answer = await write;
    expect(answer.status).toBe(503);
    const replicas = await twopc.replicas('c2');
    for (const replica of replicas) {
      expect(replica).toMatchObject({
        value: null,
        version: 0,
        state: 'idle',
        highestToken: c2.fencingToken,
      });
      expect(replica.refusedCount).toBeGreaterThanOrEqual(1);
    }
    expect(twopc.log('r1')).toContain(`refused decide with stale fencing token ${staleToken}`);
    const tx = (await twopc.http<TransactionView>('GET', 'c2', `/transactions/${txId}`)).body;
    expect(tx).toMatchObject({ decision: 'abort', decidedUnderToken: c2.fencingToken });
    const next = await writeWhenReady(twopc, 'c2', 'fresh');
    expect(next.body).toMatchObject({ committed: true, version: 1 });
  });
});
