import { EMPTY_HARD_STATE, type DurableStorage, type HardState, type LogEntry, type PersistRequest, type Random, type RecoveredState } from '@app/replicated-log';
import { check } from './simulation-failure';

interface DiskWrite<C> {
  hardState: HardState | null;
  entries: LogEntry<C>[];
}

/**
 * One node's disk, in memory. `persist` resolves at once, but a write made with
 * `mustSync: false` is only durable once a later synced write covers it: a crash may lose
 * any suffix of those (a page cache that flushed some pages and not others, in order).
 */
export class SimulatedDisk<C> implements DurableStorage<C> {
  private durable: RecoveredState<C> = { hardState: { ...EMPTY_HARD_STATE }, entries: [] };
  private unsynced: DiskWrite<C>[] = [];
  /** the log's last index as written, synced or not: the WAL's appendability rule uses it */
  private writtenLastIndex = 0;
  private writes = 0;

  constructor(
    readonly nodeId: string,
    private readonly random: Random,
    private readonly loseUnsyncedOnCrash: boolean,
    /** sees every write, for checks that committed entries are never overwritten */
    private readonly onWrite: (nodeId: string, entries: LogEntry<C>[]) => void = () => {},
  ) {}

  persist(request: PersistRequest<C>): Promise<void> {
    this.checkAppendable(request.entries);
    this.onWrite(this.nodeId, request.entries);
    // A copy, as serialization would make: later changes to the objects cannot reach the disk.
    const write: DiskWrite<C> = structuredClone({ hardState: request.hardState, entries: request.entries });
    if (write.entries.length > 0) this.writtenLastIndex = write.entries[write.entries.length - 1].index;
    this.writes++;
    this.unsynced.push(write);
    // An fsync makes every earlier write durable too.
    if (request.mustSync) this.flush(this.unsynced.length);
    return Promise.resolve();
  }

  /** The process died: unsynced writes survive only as a random prefix. Returns how many were lost. */
  crash(): number {
    const keep = this.loseUnsyncedOnCrash ? this.random.intBetween(0, this.unsynced.length) : this.unsynced.length;
    const lost = this.unsynced.length - keep;
    this.flush(keep);
    this.unsynced = [];
    this.writtenLastIndex = this.durable.entries.length;
    return lost;
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
    if (entries.length === 0) return;
    const first = entries[0].index;
    check(first >= 1 && first <= this.writtenLastIndex + 1, `${this.nodeId} disk: entries start at ${first} but the log ends at ${this.writtenLastIndex}`);
    entries.forEach((entry, i) => {
      check(entry.index === first + i, `${this.nodeId} disk: entry ${entry.index} at position ${i} breaks the run from ${first}`);
    });
  }

  /** Folds the first `count` unsynced writes into the durable state, in order. */
  private flush(count: number): void {
    for (const write of this.unsynced.slice(0, count)) {
      if (write.entries.length > 0) {
        // A batch starting at i replaces the log from i on, as the real WAL's replay does.
        this.durable.entries.length = write.entries[0].index - 1;
        for (const entry of write.entries) this.durable.entries.push(entry);
      }
      if (write.hardState !== null) this.durable.hardState = write.hardState;
    }
    this.unsynced = this.unsynced.slice(count);
  }
}
