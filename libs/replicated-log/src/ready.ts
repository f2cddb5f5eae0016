import type { HardState } from './hard-state';
import type { LogEntry } from './log-entry';
import type { PeerMessage } from './peer-message';

/**
 * The work a node hands to its driver. The contract (etcd-io/raft's): persist
 * `hardState` and `entries` first, then send `messages`, then apply `committedEntries`,
 * then call `advance(ready)`. Sending before persisting could acknowledge data a crash
 * would lose.
 */
export interface Ready<C> {
  hardState: HardState | null;
  entries: LogEntry<C>[];
  /** false when only the commit index changed */
  mustSync: boolean;
  messages: PeerMessage<C>[];
  committedEntries: LogEntry<C>[];
  /** ReadIndex requests confirmed by a majority: safe to read once `index` is applied */
  readStates: ReadState[];
}

export interface ReadState {
  requestId: number;
  index: number;
}
