import {
  EMPTY_HARD_STATE,
  type DurableStorage,
  type HardState,
  type LogEntry,
  type PersistRequest,
  type Random,
  type RecoveredState,
} from '@app/replicated-log';
import { check } from './simulation-failure';

interface DiskWrite<C> {
  hardState: HardState | null;
  entries: LogEntry<C>[];
  mustSync: boolean;
}

/**
 * One node's disk, in memory. A write is durable once an fsync covering it completed: a
 * `mustSync` write's own, or a later one's. A crash keeps only a random prefix of the
 * writes not yet durable (a page cache that flushed some pages, in order, and not others).
 * `persist` resolves at once, or, in deferred mode, when the simulator releases it: then
 * the node may crash while the fsync is still in flight.
 */
export class SimulatedDisk<C> implements DurableStorage<C> {
  private durable: RecoveredState<C> = { hardState: { ...EMPTY_HARD_STATE }, entries: [] };
  private unsynced: DiskWrite<C>[] = [];
  /** the log's last index as written, durable or not: the WAL's appendability rule uses it */
  private writtenLastIndex = 0;
  private writes = 0;
  private deferred = false;
  /** persists whose fsync is in flight, oldest first */
  private inFlight: Array<{ write: DiskWrite<C>; resolve: () => void }> = [];

  constructor(
    readonly nodeId: string,
    private readonly random: Random,
    private readonly loseUnsyncedOnCrash: boolean,
    /** sees every write, for checks that committed entries are never overwritten */
    private readonly onWrite: (nodeId: string, entries: LogEntry<C>[]) => void = () => {},
  ) {}

  persist(request: PersistRequest<C>, onWritten?: () => void): Promise<void> {
    this.checkAppendable(request.entries);
    this.onWrite(this.nodeId, request.entries);
    // A copy, as serialization would make: later changes to the objects cannot reach the disk.
    const write: DiskWrite<C> = structuredClone({
      hardState: request.hardState,
      entries: request.entries,
      mustSync: request.mustSync,
    });
    const lastWritten = write.entries.at(-1);
    if (lastWritten) this.writtenLastIndex = lastWritten.index;
    this.writes++;
    this.unsynced.push(write);
    onWritten?.();
    if (!this.deferred) {
      this.complete(write);
      return Promise.resolve();
    }
    return new Promise((resolve) => this.inFlight.push({ write, resolve }));
  }

  /**
   * In deferred mode a persist stays in flight until release(), so the node keeps taking
   * inputs between a Ready's persist and its advance, and may crash before its fsync ends.
   */
  setDeferred(deferred: boolean): void {
    this.deferred = deferred;
    if (!deferred) this.release();
  }

  /** Completes every persist in flight, in order. */
  release(): void {
    const inFlight = this.inFlight;
    this.inFlight = [];
    for (const { write, resolve } of inFlight) {
      this.complete(write);
      resolve();
    }
  }

  /** The process died: writes not yet durable survive only as a random prefix. Returns how many were lost. */
  crash(): number {
    // Nobody is left to wait for a persist in flight; its fsync never completed.
    this.inFlight = [];
    const keep = this.loseUnsyncedOnCrash
      ? this.random.intBetween(0, this.unsynced.length)
      : this.unsynced.length;
    const lost = this.unsynced.length - keep;
    this.flush(keep);
    this.unsynced = [];
    this.writtenLastIndex = this.durable.entries.length;
    return lost;
  }

  /** The data directory is lost (or replaced by an empty one): nothing survives. */
  wipe(): void {
    this.inFlight = [];
    this.unsynced = [];
    this.durable = { hardState: { ...EMPTY_HARD_STATE }, entries: [] };
    this.writtenLastIndex = 0;
  }

  /** What a restarting node reads back; call `crash()` first to model a crash. */
  recover(): RecoveredState<C> {
    this.flush(this.unsynced.length);
    return structuredClone(this.durable);
  }

  get writeCount(): number {
    return this.writes;
  }

  /** The same rule as libs/wal's assertAppendable: no gap, contiguous indexes. */
  private checkAppendable(entries: LogEntry<C>[]): void {
    const first = entries[0]?.index;
    if (first === undefined) return;
    check(
      first >= 1 && first <= this.writtenLastIndex + 1,
      `${this.nodeId} disk: entries start at ${first} but the log ends at ${this.writtenLastIndex}`,
    );
    entries.forEach((entry, i) => {
      check(
        entry.index === first + i,
        `${this.nodeId} disk: entry ${entry.index} at position ${i} breaks the run from ${first}`,
      );
    });
  }

  /** The write reached the disk; an fsync makes it and every earlier write durable. */
  private complete(write: DiskWrite<C>): void {
    if (write.mustSync) this.flush(this.unsynced.indexOf(write) + 1);
  }

  /** Folds the first `count` unsynced writes into the durable state, in order. */
  private flush(count: number): void {
    for (const write of this.unsynced.slice(0, count)) {
      const first = write.entries[0];
      if (first !== undefined) {
        // A batch starting at i replaces the log from i on, as the real WAL's replay does.
        this.durable.entries.length = first.index - 1;
        for (const entry of write.entries) this.durable.entries.push(entry);
      }
      if (write.hardState !== null) this.durable.hardState = write.hardState;
    }
    this.unsynced = this.unsynced.slice(count);
  }
}
