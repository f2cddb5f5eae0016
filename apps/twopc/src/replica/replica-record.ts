import type { Decision, RegisterValue } from '../common/twopc-messages';

/** What a replica writes to its own log before it answers (write-ahead). */
export type ReplicaRecord =
  /** a coordinator with this token exists: refuse anything lower, even after a restart */
  | { t: 'fence'; token: number }
  /** voted yes: the write is held until the decision, and survives a crash */
  | { t: 'prepared'; txId: string; token: number; value: string; version: number }
  /** voted no: kept so that peers asking about the transaction learn it cannot commit */
  | { t: 'voted-no'; txId: string }
  /** caught up from a coordinator's committed state (this replica missed writes) */
  | ({ t: 'install'; txId: string } & RegisterValue)
  | { t: 'decided'; txId: string; decision: Decision };

export function isReplicaRecord(value: unknown): value is ReplicaRecord {
  if (typeof value !== 'object' || value === null) return false;
  const t = (value as { t?: unknown }).t;
  return t === 'fence' || t === 'prepared' || t === 'voted-no' || t === 'install' || t === 'decided';
}
