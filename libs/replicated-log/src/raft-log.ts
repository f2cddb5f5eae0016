import { assert } from './assert';
import type { LogIndex, Term } from './ids';
import type { LogEntry } from './log-entry';
import type { Member } from './member';

/**
 * The in-memory view of the log: entry i lives at position i - 1. It also keeps the
 * indexes of its membership entries, updated on append and truncation, so that finding
 * the latest membership never scans the log (a follower needs it after every append).
 */
export class RaftLog<C> {
  private readonly entries: LogEntry<C>[] = [];
  private readonly membershipIndexes: LogIndex[] = [];

  get lastIndex(): LogIndex {
    return this.entries.length;
  }

  get lastTerm(): Term {
    return this.entries.at(-1)?.term ?? 0;
  }

  /** The term of entry `index`; 0 for index 0; undefined past the end. */
  termAt(index: LogIndex): Term | undefined {
    if (index === 0) return 0;
    return this.entries[index - 1]?.term;
  }

  entry(index: LogIndex): LogEntry<C> {
    const found = this.entries[index - 1];
    assert(found !== undefined, `no log entry at ${index} (last ${this.lastIndex})`);
    return found;
  }

  /** Entries from..to inclusive, clamped to the log. */
  slice(from: LogIndex, to: LogIndex): LogEntry<C>[] {
    return this.entries.slice(Math.max(from, 1) - 1, Math.min(to, this.lastIndex));
  }

  append(entry: LogEntry<C>): void {
    assert(entry.index === this.lastIndex + 1, `append at ${entry.index} after ${this.lastIndex}`);
    assert(entry.term >= this.lastTerm, `append term ${entry.term} below ${this.lastTerm}`);
    this.entries.push(entry);
    if (entry.body.type === 'membership') this.membershipIndexes.push(entry.index);
  }

  /** Drops entry `index` and everything after it. */
  truncateFrom(index: LogIndex): void {
    assert(index >= 1 && index <= this.lastIndex, `truncate at ${index} of ${this.lastIndex}`);
    this.entries.length = index - 1;
    while ((this.membershipIndexes.at(-1) ?? 0) >= index) this.membershipIndexes.pop();
  }

  /** Section 5.4.1: is a log ending at (lastIndex, lastTerm) at least as up to date as ours? */
  isUpToDate(lastIndex: LogIndex, lastTerm: Term): boolean {
    return lastTerm > this.lastTerm || (lastTerm === this.lastTerm && lastIndex >= this.lastIndex);
  }

  /** The latest membership entry, committed or not (thesis 4.1); index 0 and no members if none. */
  latestMembership(): { index: LogIndex; members: Member[] } {
    const index = this.membershipIndexes.at(-1) ?? 0;
    const body = index > 0 ? this.entry(index).body : null;
    return { index, members: body?.type === 'membership' ? body.members : [] };
  }
}
