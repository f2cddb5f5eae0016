import type { LogIndex } from '@app/replicated-log';
import type { LockState } from '@app/lock-table';

/**
 * The state machine was replaced by a snapshot (at start, or one installed from the
 * leader, thesis 5.3): read models start over from these locks and queue lengths, as of
 * `index`, instead of from individual entries.
 */
export class SnapshotRestoredEvent {
  constructor(
    readonly index: LogIndex,
    readonly locks: readonly LockState[],
    readonly waiting: ReadonlyMap<string, number>,
  ) {}
}
