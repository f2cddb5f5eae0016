import type { LogIndex, Term } from './ids';
import type { Member } from './member';

/**
 * What an entry carries. `command` entries hold the state machine's commands; the log
 * itself understands only `noop` (a new leader's first entry, Raft section 5.4.2) and
 * `membership` (the whole member list after a single-server change, Raft thesis 4.1).
 */
export type EntryBody<C> =
  { type: 'noop' } | { type: 'membership'; members: Member[] } | { type: 'command'; command: C };

export interface LogEntry<C> {
  term: Term;
  index: LogIndex;
  /** the leader's wall clock when it appended the entry; the only clock followers use */
  leaderTimeMs: number;
  body: EntryBody<C>;
}
