import type { HardState } from '../hard-state';
import type { LogEntry } from '../log-entry';
import type { SnapshotMeta } from '../snapshot-meta';

/**
 * What one Ready asks the disk to do. An entry whose index is at or below the last one
 * written replaces it and everything after it (a follower truncating a conflicting
 * suffix, Raft section 5.3), so the log file stays append-only.
 */
export interface PersistRequest<C> {
  hardState: HardState | null;
  entries: LogEntry<C>[];
  /** false when only the commit index moved: it may reach the disk later */
  mustSync: boolean;
}

export interface RecoveredState<C> {
  hardState: HardState;
  /** the entries after `snapshot` (after index 0 without one) */
  entries: LogEntry<C>[];
  /** the snapshot the state machine was restored from, if any */
  snapshot?: SnapshotMeta;
}

/** The port the ReadyProcessor persists through; libs/wal implements it on files. */
export interface DurableStorage<C> {
  /**
   * Resolves once the request is durable (fsync'd when mustSync). `onWritten`, if given, is
   * called once the bytes are in the file but before the fsync: from then on they survive a
   * crash of this process (not of the machine). A storage that never calls it is fine; the
   * ReadyProcessor then does that work after the persist resolves.
   */
  persist(request: PersistRequest<C>, onWritten?: () => void): Promise<void>;
}
