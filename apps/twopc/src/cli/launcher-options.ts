export interface LauncherOptions {
  replicas: number;
  host: string;
  httpPort: number;
  /** Latchkey TCP addresses; empty: start a local cluster */
  servers: string[];
  /** where replicas and coordinators keep their logs; null: a fresh temporary directory */
  dataDir: string | null;
  abortProbability: number;
  voteTimeoutMs: number;
  decisionTimeoutMs: number;
  sessionTtlMs: number;
  standbys: number;
  /** demo only */
  rounds: number;
  json: string | null;
  keepData: boolean;
}
