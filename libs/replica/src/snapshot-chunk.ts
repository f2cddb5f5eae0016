import { HOST_PORT, MEMBER_ID } from '@app/protocol';
import type { NodeId, SnapshotMeta } from '@app/replicated-log';
import type { PeerAuth } from './peer-envelope';
import { isMember } from './peer-envelope.validator';

/** Raft thesis 5.3: a snapshot goes to a follower in chunks of at most this many bytes. */
export const SNAPSHOT_CHUNK_BYTES = 256 * 1024;

/** One chunk of a snapshot file, leader to follower, answered with a SnapshotChunkAnswer. */
export interface SnapshotChunkMessage {
  fromTcpAddress: string;
  from: NodeId;
  to: NodeId;
  term: number;
  snapshot: SnapshotMeta;
  totalBytes: number;
  offset: number;
  /** base64 of at most SNAPSHOT_CHUNK_BYTES bytes */
  data: string;
  /** the sender's cluster; the receiver refuses a chunk of another cluster */
  clusterId?: string;
  /** the seal under the cluster secret, over every other field (PeerGate.admitSnapshotChunk) */
  auth?: PeerAuth;
}

/** Where the leader goes on from; `done` once the follower holds the whole, verified file. */
export interface SnapshotChunkAnswer {
  nextOffset: number;
  done: boolean;
}

const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
/** base64 of SNAPSHOT_CHUNK_BYTES is 4/3 as long */
const MAX_DATA_CHARS = Math.ceil(SNAPSHOT_CHUNK_BYTES / 3) * 4;

/** Replication traffic shares the client port: every field is checked, a bad chunk is dropped. */
export function isSnapshotChunkMessage(value: unknown): value is SnapshotChunkMessage {
  const chunk = value as Record<string, unknown> | null;
  if (typeof chunk !== 'object' || chunk === null) return false;
  const snapshot = chunk.snapshot as Record<string, unknown> | null;
  return (
    HOST_PORT.test(chunk.fromTcpAddress) &&
    MEMBER_ID.test(chunk.from) &&
    MEMBER_ID.test(chunk.to) &&
    isCount(chunk.term) &&
    isCount(chunk.totalBytes) &&
    isCount(chunk.offset) &&
    typeof chunk.data === 'string' &&
    chunk.data.length <= MAX_DATA_CHARS &&
    typeof snapshot === 'object' &&
    snapshot !== null &&
    isCount(snapshot.index) &&
    isCount(snapshot.term) &&
    isCount(snapshot.membershipIndex) &&
    Array.isArray(snapshot.members) &&
    snapshot.members.every(isMember)
  );
}
