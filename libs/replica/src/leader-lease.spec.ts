import { LeaderLease } from './leader-lease';

/** A ReadIndex round the test confirms (or not) by hand. */
class Rounds {
  started = 0;
  private pending: Array<(confirmed: boolean) => void> = [];

  readonly run = (): Promise<boolean> => {
    this.started++;
    return new Promise((resolve) => this.pending.push(resolve));
  };

  finish(confirmed: boolean): void {
    const next = this.pending.shift();
    if (!next) throw new Error('no round in flight');
    next(confirmed);
  }
}

describe('LeaderLease', () => {
  const electionTimeoutMs = 1_000;
  let now: number;
  let rounds: Rounds;
  let lease: LeaderLease;

  beforeEach(() => {
    now = 10_000;
    rounds = new Rounds();
    lease = new LeaderLease(electionTimeoutMs, () => now, rounds.run);
  });

  it('holds for an election timeout from the start of the round a majority confirmed', async () => {
    expect(lease.holds(3)).toBe(false);
    const confirming = lease.confirm(3);
    now += 300; // the round takes a while; the lease still runs from its start
    rounds.finish(true);
    await expect(confirming).resolves.toBe(true);
    now = 10_000 + electionTimeoutMs - 1;
    expect(lease.holds(3)).toBe(true);
    now = 10_000 + electionTimeoutMs;
    expect(lease.holds(3)).toBe(false);
    expect(lease.holds(4)).toBe(false);
  });

  it('after a stall longer than an election timeout, holds only once a new round is confirmed', async () => {
    const first = lease.confirm(3);
    rounds.finish(true);
    await first;
    // The process was stopped for 30 s: the core counted no ticks and still thinks it
    // leads, but the clock moved on, and a majority may have elected someone else.
    now += 30_000;
    expect(lease.holds(3)).toBe(false);
    const afterStall = lease.confirm(3);
    expect(rounds.started).toBe(2);
    // The others follow a new leader now: the round is never confirmed.
    rounds.finish(false);
    await expect(afterStall).resolves.toBe(false);
    expect(lease.holds(3)).toBe(false);
  });

  it('runs one round for concurrent callers, and renews early in the background', async () => {
    const callers = [lease.confirm(5), lease.confirm(5), lease.confirm(5)];
    expect(rounds.started).toBe(1);
    rounds.finish(true);
    await expect(Promise.all(callers)).resolves.toEqual([true, true, true]);

    now += electionTimeoutMs / 2;
    // Past half its length: answered from the lease, and a renewal starts.
    await expect(lease.confirm(5)).resolves.toBe(true);
    expect(rounds.started).toBe(2);
    const renewedAt = now;
    rounds.finish(true);
    await new Promise((resolve) => setImmediate(resolve));
    now = renewedAt + electionTimeoutMs - 1;
    expect(lease.holds(5)).toBe(true);
  });
});
