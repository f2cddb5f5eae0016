import type { LogIndex, Term } from '@app/replicated-log';
import type { LockCommand, LockOutcome } from '@app/lock-table';

/**
 * Published on every node for each lock entry once it is committed and applied, never
 * earlier: a new leader may still truncate an entry that is only proposed.
 */
export class LockProposedEvent {
  constructor(
    readonly index: LogIndex,
    readonly term: Term,
    readonly command: LockCommand,
    readonly outcome: LockOutcome,
    /** the leader's clock when it appended the entry */
    readonly leaderTimeMs: number,
  ) {}
}
