import type { LogIndex, Term } from '@app/replicated-log';
import type { LockCommand, LockEvent, LockOutcome } from '@app/lock-table';

/**
 * Reported on every node for each lock entry once it is committed and applied, never
 * earlier: a new leader may still truncate an entry that is only proposed. `events` are
 * the changes to the lock map it caused (a release may also grant the next waiter).
 * (The name is historical: it is an applied entry.) It is handed to the read models
 * synchronously by AppliedEntriesPublisher, in the apply step, before the proposer is
 * answered; it does not go through the CQRS event bus.
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
