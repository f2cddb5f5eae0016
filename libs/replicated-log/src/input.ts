import type { EntryBody } from './log-entry';
import type { Member } from './member';
import type { PeerMessage } from './peer-message';
import type { SnapshotMeta } from './snapshot-meta';

/** Everything that happens to a node comes in through `RaftNode.step(input)`. */
export type Input<C> =
  /** nowMs is the driver's wall clock, used only to stamp entries this node appends */
  | { type: 'tick'; nowMs: number }
  | { type: 'receive'; message: PeerMessage<C> }
  | { type: 'propose'; body: Extract<EntryBody<C>, { type: 'command' }>; nowMs: number }
  | { type: 'changeMembership'; members: Member[]; nowMs: number }
  /** ReadIndex (Raft thesis 6.4): confirm leadership, then report the commit index */
  | { type: 'readIndex'; requestId: number }
  /** the snapshot a Ready asked for is durable: the log it covers may be compacted (section 7) */
  | { type: 'snapshotWritten'; snapshot: SnapshotMeta };
