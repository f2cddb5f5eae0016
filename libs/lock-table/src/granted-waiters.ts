import type { LockOutcome } from './lock-outcome';

type Granted = Extract<LockOutcome, { type: 'granted' }>;

/** How many grants to queued preempts are remembered; about as many as client requests. */
const CAPACITY = 100_000;

/**
 * The grants that queued preempts received, by waiter id. A client whose waiting preempt
 * was granted but whose answer was lost retries with the same requestId; the remembered
 * outcome of that request is "queued", and this turns it into the grant it came to.
 * Eviction follows the order of applied entries, so every node remembers the same.
 */
export class GrantedWaiters {
  private readonly byWaiterId = new Map<number, Granted>();

  remember(waiterId: number, granted: Granted): void {
    this.byWaiterId.set(waiterId, granted);
    if (this.byWaiterId.size > CAPACITY) this.byWaiterId.delete(this.byWaiterId.keys().next().value!);
  }

  /** Oldest first, the eviction order. */
  exportState(): [number, Granted][] {
    return [...this.byWaiterId];
  }

  importState(state: [number, Granted][]): void {
    this.byWaiterId.clear();
    for (const [waiterId, granted] of state) this.byWaiterId.set(waiterId, granted);
  }

  /** What a remembered outcome came to: the grant for a queued preempt that got one. */
  settled(outcome: LockOutcome): LockOutcome {
    return outcome.type === 'queued' ? (this.byWaiterId.get(outcome.waiterId) ?? outcome) : outcome;
  }
}
