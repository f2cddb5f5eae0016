export interface ReplicaOptions {
  id: string;
  host: string;
  port: number;
  dataDir: string;
  /** Latchkey TCP addresses */
  servers: string[];
  /** the other replicas: id -> host:port */
  peers: Map<string, string>;
  /** coordinators' HTTP base URLs, asked first when a decision is overdue */
  coordinators: string[];
  abortProbability: number;
  /** how long a yes voter waits for the decision before it asks for it */
  decisionTimeoutMs: number;
  sessionTtlMs: number;
}

export const REPLICA_OPTIONS = Symbol('REPLICA_OPTIONS');

export function replicaLockName(id: string): string {
  return `twopc-replica-${id}`;
}
