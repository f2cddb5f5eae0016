import type { HardState } from './hard-state';
import type { LogEntry } from './log-entry';
import type { PeerMessage } from './peer-message';
import type { SnapshotMeta } from './snapshot-meta';

/**
 * The work a node hands to its driver. The contract (etcd-io/raft's): persist
 * `hardState` and `entries` first, then send `messages`, then apply `committedEntries`,
 * then call `advance(ready)`. Sending before persisting could acknowledge data a crash
 * would lose.
 */
export interface Ready<C> {
  hardState: HardState | null;
  entries: LogEntry<C>[];
  /** false when only the commit index changed */
  mustSync: boolean;
  messages: PeerMessage<C>[];
  committedEntries: LogEntry<C>[];
  /** ReadIndex requests confirmed by a majority: safe to read once `index` is applied */
  readStates: ReadState[];
  /**
   * A snapshot received from the leader (thesis 5.3), already durable: before persisting
   * anything else, the driver restarts the log on disk after it and loads it into the
   * state machine. `entries` then holds what the log keeps after the snapshot.
   */
  snapshotToInstall: SnapshotMeta | null;
  /**
   * Section 7: once `committedEntries` are applied, the state machine reflects exactly
   * this index; the driver saves a copy of it then, writes it off the hot path, and steps
   * `snapshotWritten` in once it is durable.
   */
  snapshotToTake: SnapshotMeta | null;
}

export interface ReadState {
  requestId: number;
  index: number;
}
