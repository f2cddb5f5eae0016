import { EMPTY_HARD_STATE, assert } from '@app/replicated-log';
import type { LogEntry, LogIndex, RecoveredState } from '@app/replicated-log';
import type { WalRecord } from './wal-record';

/**
 * The rule every `entries` record obeys: it starts at or below `lastIndex + 1` (it may
 * overwrite a suffix, never leave a gap) and its indexes are contiguous. Checked before
 * writing as well as on replay, so a bug cannot write a log that fails to load.
 */
export function assertAppendable<C>(entries: LogEntry<C>[], lastIndex: LogIndex, where: string): void {
  assert(entries.length > 0, `${where}: empty entries record`);
  const first = entries[0].index;
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
    if (record.t === 'hardState') {
      hardState = record.hardState;
      return;
    }
    assertAppendable(record.entries, entries.length, `WAL record #${position}`);
    entries.length = record.entries[0].index - 1;
    // A loop, not push(...spread): a big batch would overflow the argument stack.
    for (const entry of record.entries) entries.push(entry);
  });
  return { hardState, entries };
}
