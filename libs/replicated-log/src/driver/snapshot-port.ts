import type { SnapshotMeta } from '../snapshot-meta';

/**
 * How the ReadyProcessor saves and installs snapshots (Raft section 7, thesis 5.3). A
 * driver without one never takes snapshots (the core asks for none unless configured).
 */
export interface SnapshotPort {
  /**
   * Called right after the Ready's committed entries are applied: copy the state machine
   * now (it reflects exactly `meta.index`), then write the copy durably. Resolves once it
   * is on disk; the processor then tells the core.
   */
  take(meta: SnapshotMeta): Promise<void>;
  /**
   * A snapshot received from the leader is durable: restart the log on disk after it
   * and load it into the state machine, before anything else of the Ready is persisted.
   */
  install(meta: SnapshotMeta): Promise<void>;
}
