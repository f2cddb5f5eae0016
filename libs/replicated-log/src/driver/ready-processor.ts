import { assert } from '../assert';
import type { RaftNode } from '../raft-node';
import type { SnapshotMeta } from '../snapshot-meta';
import type { DurableStorage } from './durable-storage';
import type { EntryApplier } from './entry-applier';
import type { PeerNetwork } from './peer-network';
import type { SnapshotPort } from './snapshot-port';
import type { ReadState } from '../ready';

/** Receives confirmed ReadIndex rounds (thesis 6.4), after the entries they follow are applied. */
export interface ReadStateListener {
  confirmed(readStates: ReadState[]): void;
}

/**
 * Runs a node's Ready cycle: persist -> send -> apply -> advance, one Ready at a time.
 * Production and the simulator both drive their nodes through this class. While one
 * Ready is being persisted, new inputs accumulate, so the next Ready batches them into
 * a single fsync.
 */
export class ReadyProcessor<C> {
  private running: Promise<void> | null = null;

  constructor(
    private readonly node: RaftNode<C>,
    private readonly storage: DurableStorage<C>,
    private readonly network: PeerNetwork<C>,
    private readonly applier: EntryApplier<C>,
    private readonly reads: ReadStateListener | null = null,
    private readonly snapshots: SnapshotPort | null = null,
  ) {}

  /** Call after every step; starts a cycle unless one is already running. */
  kick(): void {
    if (this.running === null && this.node.hasReady()) {
      // On failure `running` stays set: a broken invariant stops this node for good,
      // and the rejection surfaces (unhandled, so the process exits) instead of looping.
      this.running = this.drain().then(() => {
        this.running = null;
        // An input may have arrived between the last check and now.
        this.kick();
      });
    }
  }

  /** Resolves when nothing is left to process. */
  async idle(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  private async drain(): Promise<void> {
    while (this.node.hasReady()) {
      const ready = this.node.ready();
      if (ready.snapshotToInstall) await this.requireSnapshots().install(ready.snapshotToInstall);
      if (ready.entries.length > 0 || ready.hardState !== null) {
        await this.storage.persist({
          hardState: ready.hardState,
          entries: ready.entries,
          mustSync: ready.mustSync,
        });
      }
      for (const message of ready.messages) this.network.send(message);
      if (ready.committedEntries.length > 0) this.applier.apply(ready.committedEntries);
      if (ready.snapshotToTake) this.takeSnapshot(ready.snapshotToTake);
      if (ready.readStates.length > 0) this.reads?.confirmed(ready.readStates);
      this.node.advance(ready);
    }
  }

  /** The copy is taken now, in order with applying; the write runs beside the Ready cycle. */
  private takeSnapshot(meta: SnapshotMeta): void {
    void this.requireSnapshots()
      .take(meta)
      .then(() => {
        this.node.step({ type: 'snapshotWritten', snapshot: meta });
        this.kick();
      });
  }

  private requireSnapshots(): SnapshotPort {
    assert(this.snapshots !== null, 'the core asked for a snapshot, but this driver has no snapshot port');
    return this.snapshots;
  }
}
