export interface CoordinatorOptions {
  id: string;
  host: string;
  httpPort: number;
  /** Latchkey TCP addresses */
  servers: string[];
  /** the replicas: id -> host:port */
  replicas: Map<string, string>;
  /** the decision log directory, shared by every coordinator of this register */
  logDir: string;
  voteTimeoutMs: number;
  sessionTtlMs: number;
  /** wait for the coordinator lock as long as it takes, instead of failing when another holds it */
  standby: boolean;
}

export const COORDINATOR_OPTIONS = Symbol('COORDINATOR_OPTIONS');
export const COORDINATOR_LOCK = 'twopc-coordinator';
