import type { LogEntry, LogIndex, Term } from '@app/replicated-log';
import type { LockCommand, LockEvent, LockOutcome } from '@app/lock-table';

export type ProposalSettlement =
  | { type: 'applied'; index: LogIndex; outcome: LockOutcome | null; events: readonly LockEvent[] }
  /** another leader's entry took the index: the proposal was never committed */
  | { type: 'dropped' }
  | { type: 'timedOut' };

interface Waiter {
  term: Term;
  settle: (settlement: ProposalSettlement) => void;
  timer: NodeJS.Timeout;
}

/** Clients waiting on this node for their proposal to be applied, by log index. */
export class PendingProposals {
  private readonly waiters = new Map<LogIndex, Waiter>();

  wait(index: LogIndex, term: Term, timeoutMs: number): Promise<ProposalSettlement> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.settle(index, { type: 'timedOut' }), timeoutMs);
      this.waiters.set(index, { term, settle: resolve, timer });
    });
  }

  /** Called for every applied entry, in index order. */
  applied(entry: LogEntry<LockCommand>, outcome: LockOutcome | null, events: readonly LockEvent[]): void {
    const waiter = this.waiters.get(entry.index);
    if (!waiter) return;
    this.settle(
      entry.index,
      waiter.term === entry.term
        ? { type: 'applied', index: entry.index, outcome, events }
        : { type: 'dropped' },
    );
  }

  get size(): number {
    return this.waiters.size;
  }

  private settle(index: LogIndex, settlement: ProposalSettlement): void {
    const waiter = this.waiters.get(index);
    if (!waiter) return;
    clearTimeout(waiter.timer);
    this.waiters.delete(index);
    waiter.settle(settlement);
  }
}
