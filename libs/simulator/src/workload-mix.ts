import type { Random } from '@app/replicated-log';

/**
 * How the simulated clients mix their requests, drawn per seed so that the sweep covers
 * runs heavy in sessions, in TTLs, in waits or in retries. Each `*Rate` is a probability.
 */
export interface WorkloadMix {
  /** of a request: open a session (a client keeps at most two) */
  openRate: number;
  /** of a request: close one of the client's sessions */
  closeRate: number;
  /** of a new session: the client never sends it a keepalive, so it must expire */
  abandonRate: number;
  /** of a request: resend an earlier request with its requestId, as after a lost answer */
  retryRate: number;
  /** of a preempt: inside one of the client's sessions */
  sessionRate: number;
  /** of a preempt: with a lock TTL */
  ttlRate: number;
  /** of a preempt: waiting (waitMs) if the lock is held */
  waitRate: number;
  /** of a preempt or release: carries a requestId */
  requestIdRate: number;
  /** session TTLs are drawn from this range (ms) */
  sessionTtlMs: [number, number];
  /** lock TTLs and waits are drawn from these ranges (ms) */
  lockTtlMs: [number, number];
  waitMs: [number, number];
}

export function deriveWorkloadMix(random: Random): WorkloadMix {
  return {
    openRate: random.intBetween(4, 10) / 100,
    closeRate: random.intBetween(2, 5) / 100,
    abandonRate: random.intBetween(20, 50) / 100,
    retryRate: random.intBetween(5, 15) / 100,
    sessionRate: random.intBetween(20, 50) / 100,
    ttlRate: random.intBetween(20, 50) / 100,
    waitRate: random.intBetween(20, 50) / 100,
    requestIdRate: random.intBetween(50, 90) / 100,
    sessionTtlMs: [200, 800],
    lockTtlMs: [50, 600],
    waitMs: [50, 500],
  };
}
