/**
 * The wire contract between coordinators and replicas (Nest TCP transport). Every message a
 * coordinator sends carries its fencing token: the token of its `twopc-coordinator` grant.
 */
export const TwoPcPatterns = {
  prepare: 'twopc.prepare',
  decide: 'twopc.decide',
  fence: 'twopc.fence',
  status: 'twopc.status',
  /** replica to replica: what do you know of this transaction? (cooperative termination) */
  outcome: 'twopc.outcome',
} as const;

export type Decision = 'commit' | 'abort';
export type Vote = 'yes' | 'no';
export type RecordedVote = Vote | 'timeout';

/** The register as last committed. */
export interface RegisterValue {
  value: string | null;
  version: number;
}

export interface PrepareRequest {
  txId: string;
  token: number;
  value: string;
  /** the version the write creates: the coordinator's committed version + 1 */
  version: number;
  /** the client's condition: vote no unless the register is at this version */
  expectedVersion?: number;
  /** the register as the coordinator last committed it, for a replica that is behind */
  base: RegisterValue;
}

export interface DecideRequest {
  txId: string;
  token: number;
  decision: Decision;
}

export interface FenceRequest {
  token: number;
}

export interface OutcomeRequest {
  txId: string;
}

/** A replica refuses any message whose token is below the highest it has seen. */
export interface Refusal {
  kind: 'refused';
  highestToken: number;
}

export type PrepareReply = { kind: 'vote'; vote: Vote; reason?: string } | Refusal;
export type DecideReply = ({ kind: 'applied' } & RegisterValue) | Refusal;
export type FenceReply = ({ kind: 'fenced' } & ReplicaStatus) | Refusal;

export type ReplicaPhase = 'idle' | 'prepared';

export interface ReplicaStatus extends RegisterValue {
  id: string;
  state: ReplicaPhase;
  /** the transaction this replica voted yes on and awaits a decision for */
  preparedTxId: string | null;
  highestToken: number;
  /** messages refused for a stale token since this process started */
  refusedCount: number;
  lastRefusal: { pattern: string; token: number; highestToken: number } | null;
}

export interface OutcomeReply {
  txId: string;
  decision: Decision | null;
  vote: Vote | null;
}
