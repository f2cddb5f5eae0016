import { EMPTY_HARD_STATE, EMPTY_SNAPSHOT_META, assert } from '@app/replicated-log';
import type { HardState, LogEntry, LogIndex, RecoveredState, SnapshotMeta, Term } from '@app/replicated-log';
import type { WalRecord } from './wal-record';

/**
 * The rule every `entries` record obeys: it starts at or below `lastIndex + 1` (it may
 * overwrite a suffix, never leave a gap) and its indexes are contiguous. Checked before
 * writing as well as on replay, so a bug cannot write a log that fails to load. Returns
 * the index the record starts at.
 */
export function assertAppendable<C>(entries: LogEntry<C>[], lastIndex: LogIndex, where: string): LogIndex {
  const first = entries[0]?.index;
  assert(first !== undefined, `${where}: empty entries record`);
  assert(
    first >= 1 && first <= lastIndex + 1,
    `${where}: entries start at index ${first}, but the log ends at ${lastIndex}`,
  );
  entries.forEach((entry, i) => {
    assert(
      entry.index === first + i,
      `${where}: entry index ${entry.index} at position ${i} breaks the run starting at ${first}`,
    );
  });
  return first;
}

/**
 * Folds replayed records, one at a time, into the state the node restarts from, keeping
 * in memory only the entries after the snapshot it restarts from (the rest are in the
 * snapshot), so memory is bounded by what follows the snapshot, not by the history. A
 * record starting at `i` replaces everything from `i` on, exactly as it did in memory
 * when it was written; a `base` record replaces everything.
 */
export class LogRebuilder<C> {
  private hardState: HardState = { ...EMPTY_HARD_STATE };
  private readonly entries: LogEntry<C>[] = [];
  /** the last index of the log replayed so far; null before the first record that says */
  private lastIndex: LogIndex | null = null;
  /** the first index the replayed records cover, to tell a WAL that reaches back far enough */
  private firstIndex: LogIndex | null = null;
  /** the term the WAL gives the snapshot's last entry, once seen */
  private termAtSnapshot: Term | undefined;
  private recordCount = 0;

  constructor(private readonly snapshot: SnapshotMeta = EMPTY_SNAPSHOT_META) {
    if (snapshot.index === 0) this.termAtSnapshot = 0;
  }

  add(record: WalRecord<C>): void {
    const where = `WAL record #${this.recordCount++}`;
    switch (record.t) {
      case 'base':
        return this.rebase(record.index, record.term);
      case 'entries':
        return this.append(record.entries, where);
      case 'hardState':
        this.hardState = record.hardState;
        return;
      case 'write':
        // Entries before the hard state, as they were written: a commitIndex never covers more.
        if (record.entries.length > 0) this.append(record.entries, where);
        if (record.hardState !== null) this.hardState = record.hardState;
        return;
    }
  }

  /**
   * The state to restart from. A log that does not reach the snapshot, or disagrees with
   * it at its index, is what a crash while installing a snapshot leaves (the snapshot was
   * in place, the log not yet restarted): the snapshot wins and the log starts after it.
   * A log that starts after the snapshot cannot be used with it: that is an error.
   */
  finish(): { recovered: RecoveredState<C>; rebase: boolean } | string {
    const snapshot = this.snapshot;
    const hardState = {
      ...this.hardState,
      commitIndex: Math.max(this.hardState.commitIndex, snapshot.index),
    };
    /** `rebase`: the log on disk does not continue the snapshot and must restart after it */
    const result = (entries: LogEntry<C>[], rebase: boolean) => ({
      recovered: snapshot.index === 0 ? { hardState, entries } : { hardState, entries, snapshot },
      rebase,
    });
    const lastIndex = this.lastIndex ?? 0;
    if (lastIndex < snapshot.index) return result([], true);
    if (lastIndex === snapshot.index) return result([], this.termAtSnapshot !== snapshot.term);
    if ((this.firstIndex ?? 0) > snapshot.index + 1)
      return `the WAL starts at index ${this.firstIndex}, after the snapshot at ${snapshot.index}: entries in between are missing`;
    if (this.termAtSnapshot !== undefined && this.termAtSnapshot !== snapshot.term) return result([], true);
    return result(this.entries, false);
  }

  private rebase(index: LogIndex, term: Term): void {
    this.entries.length = 0;
    this.lastIndex = index;
    this.firstIndex = index + 1;
    this.termAtSnapshot = index === this.snapshot.index ? term : undefined;
  }

  private append(appended: LogEntry<C>[], where: string): void {
    // An empty record is refused by assertAppendable, with the record named.
    const first = assertAppendable(appended, this.lastIndex ?? (appended[0]?.index ?? 1) - 1, where);
    this.firstIndex = Math.min(this.firstIndex ?? first, first);
    const keepAfter = this.snapshot.index;
    if (first <= keepAfter) this.termAtSnapshot = keepAfter === 0 ? 0 : undefined;
    // Drop what this record replaces.
    this.entries.length = Math.max(0, Math.min(this.entries.length, first - keepAfter - 1));
    // A loop, not push(...spread): a big batch would overflow the argument stack.
    for (const entry of appended) {
      if (entry.index > keepAfter) this.entries.push(entry);
      else if (entry.index === keepAfter) this.termAtSnapshot = entry.term;
    }
    this.lastIndex = first + appended.length - 1;
  }
}

/** Folds a whole list of records (no snapshot), for callers that hold them all. */
export function rebuildLog<C>(records: WalRecord<C>[]): RecoveredState<C> {
  const rebuilder = new LogRebuilder<C>();
  for (const record of records) rebuilder.add(record);
  const rebuilt = rebuilder.finish();
  assert(typeof rebuilt !== 'string', 'a WAL without a snapshot always rebuilds');
  return rebuilt.recovered;
}
