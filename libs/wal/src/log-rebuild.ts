import { EMPTY_HARD_STATE, assert } from '@app/replicated-log';
import type { LogEntry, LogIndex, RecoveredState } from '@app/replicated-log';
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
 * Folds replayed records into the state the node restarts from. The log has no snapshots,
 * so entry `i` lives at array position `i - 1`; a record starting at `i` replaces
 * everything from `i` on, exactly as it did in memory when it was written.
 */
export function rebuildLog<C>(records: WalRecord<C>[]): RecoveredState<C> {
  // A copy, so a caller mutating what it got back cannot change the shared constant.
  let hardState = { ...EMPTY_HARD_STATE };
  const entries: LogEntry<C>[] = [];
  records.forEach((record, position) => {
    const where = `WAL record #${position}`;
    switch (record.t) {
      case 'entries':
        return appendRecord(entries, record.entries, where);
      case 'hardState':
        hardState = record.hardState;
        return;
      case 'write':
        // Entries before the hard state, as they were written: a commitIndex never covers more.
        if (record.entries.length > 0) appendRecord(entries, record.entries, where);
        if (record.hardState !== null) hardState = record.hardState;
        return;
    }
  });
  return { hardState, entries };
}

function appendRecord<C>(entries: LogEntry<C>[], appended: LogEntry<C>[], where: string): void {
  entries.length = assertAppendable(appended, entries.length, where) - 1;
  // A loop, not push(...spread): a big batch would overflow the argument stack.
  for (const entry of appended) entries.push(entry);
}
