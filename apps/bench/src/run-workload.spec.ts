import type { LockClient, LockSession } from '@app/lock-client';
import type { BenchClient } from './bench-clients';
import { CpuMeter, processCpuSeconds } from './process-cpu';
import { runClientLoop, WorkloadTally, type WorkloadContext } from './run-workload';

/**
 * The SDK calls a client loop makes, answered from a lock map: what is asserted is the
 * loop's own bookkeeping (operations, successes, errors, latencies per call kind).
 */
class ScriptedClient {
  readonly holders = new Map<string, string>();
  readonly calls: string[] = [];
  failNext: Error | null = null;

  constructor(private readonly owner: string) {}

  preempt(name: string, options: { sessionId: string }) {
    this.calls.push(`preempt ${name} ${options.sessionId}`);
    this.throwIfFailing();
    const holder = this.holders.get(name);
    if (holder !== undefined && holder !== this.owner) return Promise.resolve({ acquired: false });
    this.holders.set(name, this.owner);
    return Promise.resolve({ acquired: true });
  }

  release(name: string, options: { sessionId: string }) {
    this.calls.push(`release ${name} ${options.sessionId}`);
    const released = this.holders.get(name) === this.owner;
    if (released) this.holders.delete(name);
    return Promise.resolve({ released });
  }

  check(name: string, options: { consistency: string }) {
    this.calls.push(`check ${name} ${options.consistency}`);
    return Promise.resolve({ owner: this.holders.get(name) ?? null });
  }

  private throwIfFailing(): void {
    const failure = this.failNext;
    this.failNext = null;
    if (failure !== null) throw failure;
  }
}

function benchClient(index: number, scripted: ScriptedClient): BenchClient {
  const session = { sessionId: `s${index}` } as LockSession;
  return { index, client: scripted as unknown as LockClient, session };
}

/** Runs the loop for `operations` iterations of `running()`. */
async function runFor(
  operations: number,
  client: BenchClient,
  context: Omit<WorkloadContext, 'running' | 'tally'>,
): Promise<WorkloadTally> {
  const tally = new WorkloadTally();
  let left = operations;
  await runClientLoop(client, { ...context, tally: () => tally, running: () => left-- > 0 });
  return tally;
}

describe('a benchmark client loop', () => {
  it('W1 preempts and releases its own lock: one successful op per cycle, both latencies recorded', async () => {
    const scripted = new ScriptedClient('me');
    const tally = await runFor(3, benchClient(4, scripted), { workload: 'w1', keys: 1, checkedLock: 'c' });
    expect(scripted.calls).toEqual([
      'preempt bench-w1-4 s4',
      'release bench-w1-4 s4',
      'preempt bench-w1-4 s4',
      'release bench-w1-4 s4',
      'preempt bench-w1-4 s4',
      'release bench-w1-4 s4',
    ]);
    expect(tally).toMatchObject({ ops: 3, successes: 3, errors: 0 });
    expect([tally.preempt.count, tally.release.count, tally.check.count]).toEqual([3, 3, 0]);
  });

  it('W2 counts a refused try-lock as an op without success, and releases only what it got', async () => {
    const scripted = new ScriptedClient('me');
    scripted.holders.set('bench-w2-0', 'someone else');
    const tally = await runFor(4, benchClient(0, scripted), { workload: 'w2', keys: 1, checkedLock: 'c' });
    expect(tally).toMatchObject({ ops: 4, successes: 0, errors: 0 });
    expect(tally.release.count).toBe(0);
    scripted.holders.clear();
    const granted = await runFor(2, benchClient(0, scripted), { workload: 'w2', keys: 1, checkedLock: 'c' });
    expect(granted).toMatchObject({ ops: 2, successes: 2 });
    expect(granted.release.count).toBe(2);
  });

  it('W3 checks the held lock with the consistency its variant names', async () => {
    const scripted = new ScriptedClient('me');
    scripted.holders.set('held', 'setup');
    const local = await runFor(2, benchClient(0, scripted), { workload: 'w3', keys: 1, checkedLock: 'held' });
    const lin = await runFor(1, benchClient(0, scripted), {
      workload: 'w3lin',
      keys: 1,
      checkedLock: 'held',
    });
    const free = await runFor(1, benchClient(0, scripted), { workload: 'w3', keys: 1, checkedLock: 'free' });
    expect(scripted.calls).toEqual([
      'check held local',
      'check held local',
      'check held linearizable',
      'check free local',
    ]);
    expect([local.successes, lin.successes, free.successes]).toEqual([2, 1, 0]);
    expect(free.ops).toBe(1);
  });

  it('counts a failed request as an error and goes on, keeping the first five messages', async () => {
    const scripted = new ScriptedClient('me');
    const tally = new WorkloadTally();
    let left = 8;
    await runClientLoop(benchClient(0, scripted), {
      workload: 'w1',
      keys: 1,
      checkedLock: 'c',
      tally: () => tally,
      running: () => {
        if (left > 1) scripted.failNext = new Error(`no node answered (${left})`);
        return left-- > 0;
      },
    });
    expect(tally).toMatchObject({ errors: 7, ops: 1, successes: 1 });
    expect(tally.firstErrors).toEqual([8, 7, 6, 5, 4].map((n) => `no node answered (${n})`));
    tally.fail('a string');
    expect(tally.firstErrors).toHaveLength(5);
  });
});

describe('CPU figures', () => {
  it('reads this process’s CPU seconds from /proc, and null for a process that does not exist', () => {
    const seconds = processCpuSeconds(process.pid);
    expect(seconds).not.toBeNull();
    expect(seconds).toBeGreaterThanOrEqual(0);
    expect(processCpuSeconds(2 ** 30)).toBeNull();
  });

  it('meters the bench and its servers, and reports no server figures when one cannot be read', () => {
    const known = new CpuMeter([process.pid]).read();
    expect(known.bench).toBeGreaterThanOrEqual(0);
    expect(known.servers).toHaveLength(1);
    expect(new CpuMeter([process.pid, 2 ** 30]).read().servers).toBeNull();
    expect(new CpuMeter([]).read().servers).toBeNull();
  });
});
