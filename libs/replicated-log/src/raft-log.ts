import { assert } from './assert';
import type { LogIndex, Term } from './ids';
import type { LogEntry } from './log-entry';
import type { Member } from './member';
import { EMPTY_SNAPSHOT_META, type SnapshotMeta } from './snapshot-meta';

/**
 * The in-memory view of the log. Entries up to `offsetIndex` have been compacted away
 * (Raft section 7): they are covered by a snapshot, and only the term of the last of them
 * is kept, for the consistency check of AppendEntries. Entry i lives at position
 * i - offsetIndex - 1. The log also keeps the indexes of its membership entries, updated
 * on append and truncation, so that finding the latest membership never scans the log (a
 * follower needs it after every append), and the membership in force at the offset.
 */
export class RaftLog<C> {
  private readonly entries: LogEntry<C>[] = [];
  private readonly membershipIndexes: LogIndex[] = [];
  private offset: LogIndex;
  private offsetTerm: Term;
  /** the membership in force at `offset`: the latest membership entry at or below it */
  private baseMembership: { index: LogIndex; members: Member[] };
  /** the latest snapshot on disk */
  private latestSnapshot: SnapshotMeta;

  constructor(snapshot: SnapshotMeta = EMPTY_SNAPSHOT_META) {
    this.offset = snapshot.index;
    this.offsetTerm = snapshot.term;
    this.baseMembership = { index: snapshot.membershipIndex, members: snapshot.members };
    this.latestSnapshot = snapshot;
  }

  get lastIndex(): LogIndex {
    return this.offset + this.entries.length;
  }

  get lastTerm(): Term {
    return this.entries.at(-1)?.term ?? this.offsetTerm;
  }

  /** The first entry still held; `lastIndex + 1` when none is. */
  get firstIndex(): LogIndex {
    return this.offset + 1;
  }

  get snapshot(): SnapshotMeta {
    return this.latestSnapshot;
  }

  /** The term of entry `index`; 0 for index 0; undefined past the end or before the offset. */
  termAt(index: LogIndex): Term | undefined {
    if (index === this.offset) return this.offsetTerm;
    if (index < this.offset) return undefined;
    return this.entries[index - this.offset - 1]?.term;
  }

  entry(index: LogIndex): LogEntry<C> {
    const found = index > this.offset ? this.entries[index - this.offset - 1] : undefined;
    assert(
      found !== undefined,
      `no log entry at ${index} (first ${this.firstIndex}, last ${this.lastIndex})`,
    );
    return found;
  }

  /** Entries from..to inclusive, clamped to what the log holds. */
  slice(from: LogIndex, to: LogIndex): LogEntry<C>[] {
    const start = Math.max(from, this.firstIndex) - this.offset - 1;
    return this.entries.slice(start, Math.max(start, Math.min(to, this.lastIndex) - this.offset));
  }

  append(entry: LogEntry<C>): void {
    assert(entry.index === this.lastIndex + 1, `append at ${entry.index} after ${this.lastIndex}`);
    assert(entry.term >= this.lastTerm, `append term ${entry.term} below ${this.lastTerm}`);
    this.entries.push(entry);
    if (entry.body.type === 'membership') this.membershipIndexes.push(entry.index);
  }

  /** Drops entry `index` and everything after it. */
  truncateFrom(index: LogIndex): void {
    assert(index > this.offset && index <= this.lastIndex, `truncate at ${index} of ${this.lastIndex}`);
    this.entries.length = index - this.offset - 1;
    while ((this.membershipIndexes.at(-1) ?? 0) >= index) this.membershipIndexes.pop();
  }

  /**
   * A snapshot through `snapshot.index` is durable: forget the entries up to `compactTo`
   * (at most the snapshot's index; the driver keeps a margin for followers just behind).
   */
  compact(snapshot: SnapshotMeta, compactTo: LogIndex): void {
    assert(
      snapshot.index <= this.lastIndex,
      `snapshot at ${snapshot.index} past the log (${this.lastIndex})`,
    );
    assert(compactTo <= snapshot.index, `compacting to ${compactTo} past the snapshot at ${snapshot.index}`);
    if (snapshot.index > this.latestSnapshot.index) this.latestSnapshot = snapshot;
    if (compactTo <= this.offset) return;
    this.baseMembership = this.membershipAt(compactTo);
    this.offsetTerm = this.entry(compactTo).term;
    this.entries.splice(0, compactTo - this.offset);
    this.offset = compactTo;
    while ((this.membershipIndexes[0] ?? Infinity) <= compactTo) this.membershipIndexes.shift();
  }

  /**
   * Thesis 5.3: a snapshot from the leader replaces the log. If the log holds the entry
   * the snapshot ends with, the entries after it are kept (they may have been
   * acknowledged); otherwise the whole log is discarded.
   */
  install(snapshot: SnapshotMeta): void {
    const matches = this.termAt(snapshot.index) === snapshot.term && snapshot.index <= this.lastIndex;
    const kept = matches ? this.entries.slice(snapshot.index - this.offset) : [];
    this.entries.length = 0;
    this.membershipIndexes.length = 0;
    this.offset = snapshot.index;
    this.offsetTerm = snapshot.term;
    this.baseMembership = { index: snapshot.membershipIndex, members: snapshot.members };
    this.latestSnapshot = snapshot;
    for (const entry of kept) this.append(entry);
  }

  /** Section 5.4.1: is a log ending at (lastIndex, lastTerm) at least as up to date as ours? */
  isUpToDate(lastIndex: LogIndex, lastTerm: Term): boolean {
    return lastTerm > this.lastTerm || (lastTerm === this.lastTerm && lastIndex >= this.lastIndex);
  }

  /** The latest membership entry, committed or not (thesis 4.1); index 0 and no members if none. */
  latestMembership(): { index: LogIndex; members: Member[] } {
    return this.membershipAt(this.lastIndex);
  }

  /** The membership in force at `index` (at or after the offset): the latest entry at or below it. */
  membershipAt(index: LogIndex): { index: LogIndex; members: Member[] } {
    const found = this.membershipIndexes.findLast((i) => i <= index);
    if (found === undefined) return this.baseMembership;
    const body = this.entry(found).body;
    assert(body.type === 'membership', `entry ${found} is listed as a membership entry but is not`);
    return { index: found, members: body.members };
  }
}
