import type { LogIndex, Term } from '@app/replicated-log';
import type { LockCommand, LockEvent, LockOutcome } from '@app/lock-table';

/**
 * Published on every node for each lock entry once it is committed and applied, never
 * earlier: a new leader may still truncate an entry that is only proposed. `events` are
 * the changes to the lock map it caused (a release may also grant the next waiter).
 */
export class LockProposedEvent {
  constructor(
    readonly index: LogIndex,
    readonly term: Term,
    readonly command: LockCommand,
    readonly outcome: LockOutcome,
    readonly events: readonly LockEvent[],
    /** the leader's clock when it appended the entry */
    readonly leaderTimeMs: number,
  ) {}
}
