import { assert } from '../assert';
import type { RaftNode } from '../raft-node';
import type { SnapshotMeta } from '../snapshot-meta';
import type { DurableStorage } from './durable-storage';
import type { EntryApplier } from './entry-applier';
import type { PeerNetwork } from './peer-network';
import type { SnapshotPort } from './snapshot-port';
import type { ReadState } from '../ready';
import type { PeerMessage } from '../peer-message';

/** Receives confirmed ReadIndex rounds (thesis 6.4), after the entries they follow are applied. */
export interface ReadStateListener {
  confirmed(readStates: ReadState[]): void;
}

/**
 * Runs a node's Ready cycle: send, apply, persist, send, advance; one Ready at a time.
 * Production and the simulator both drive their nodes through this class. While one
 * Ready is being persisted, new inputs accumulate, so the next Ready batches them into
 * a single fsync.
 */
export class ReadyProcessor<C> {
  private running: Promise<void> | null = null;
  private earlySendScheduler: ((task: () => void) => void) | null = null;
  private earlySendScheduled = false;
  private failureListener: ((error: unknown) => void) | null = null;

  constructor(
    private readonly node: RaftNode<C>,
    private readonly storage: DurableStorage<C>,
    private readonly network: PeerNetwork<C>,
    private readonly applier: EntryApplier<C>,
    private readonly reads: ReadStateListener | null = null,
    private readonly snapshots: SnapshotPort | null = null,
  ) {}

  /**
   * Lets a leader send AppendEntries between Readys, while a persist runs: entries proposed
   * meanwhile reach the followers without waiting for that fsync (thesis 10.2.1). `schedule`
   * runs the send later in the same turn of the event loop (setImmediate in production), so
   * the proposals of one turn leave in one message per follower.
   */
  sendEarlyWith(schedule: (task: () => void) => void): void {
    this.earlySendScheduler = schedule;
  }

  /**
   * Told of an error that stopped the Ready cycle (a broken invariant). The node stays
   * stopped either way, and `idle()` rejects with the error; without a listener the
   * rejection is unhandled, which ends a production process.
   */
  reportFailuresTo(listener: (error: unknown) => void): void {
    this.failureListener = listener;
  }

  /** Call after every step; starts a cycle unless one is already running. */
  kick(): void {
    if (this.running !== null) this.scheduleEarlySend();
    else if (this.node.hasReady()) {
      // On failure `running` stays set: a broken invariant stops this node for good,
      // and the rejection surfaces (unhandled, so the process exits) instead of looping.
      this.running = this.drain().then(() => {
        this.running = null;
        // An input may have arrived between the last check and now.
        this.kick();
      });
      if (this.failureListener !== null) void this.running.catch(this.failureListener);
    }
  }

  private scheduleEarlySend(): void {
    if (this.earlySendScheduler === null || this.earlySendScheduled || !this.node.isLeader) return;
    this.earlySendScheduled = true;
    this.earlySendScheduler(() => {
      this.earlySendScheduled = false;
      for (const message of this.node.takeAppendsToSend()) this.network.send(message);
    });
  }

  /** Resolves when nothing is left to process. */
  async idle(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  /**
   * Three orderings keep a write's path short without weakening it:
   * - A leader sends AppendEntries before its own fsync (thesis 10.2.1): it counts itself
   *   toward a majority only after `advance` reports the entries persisted.
   * - Committed entries are applied once this Ready is written, while its fsync runs: they
   *   are already durable on a majority, and waiting for the fsync would add one to every
   *   answer under load. Written first, so a node restarted after a crash of its process
   *   never serves less than it served before (its commit index and entries are in the file).
   * - Every other message (append replies, votes) speaks for this node's disk and the term
   *   and vote it recorded, so it leaves only after the fsync.
   */
  private async drain(): Promise<void> {
    while (this.node.hasReady()) {
      const ready = this.node.ready();
      if (ready.snapshotToInstall) await this.requireSnapshots().install(ready.snapshotToInstall);
      const afterPersist: PeerMessage<C>[] = [];
      for (const message of ready.messages) {
        if (message.type === 'appendEntries') this.network.send(message);
        else afterPersist.push(message);
      }
      let handedOver = false;
      const applyCommitted = () => {
        if (handedOver) return;
        handedOver = true;
        if (ready.committedEntries.length > 0) this.applier.apply(ready.committedEntries);
        // The copy is taken right after applying, before anything else is applied.
        if (ready.snapshotToTake) this.takeSnapshot(ready.snapshotToTake);
        if (ready.readStates.length > 0) this.reads?.confirmed(ready.readStates);
      };
      if (ready.entries.length > 0 || ready.hardState !== null) {
        const request = { hardState: ready.hardState, entries: ready.entries, mustSync: ready.mustSync };
        await this.storage.persist(request, applyCommitted);
      }
      applyCommitted();
      for (const message of afterPersist) this.network.send(message);
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
