/** Hold and wait figures of one lock since the answering node started (leader clock). */
export interface LockStatsSummary {
  name: string;
  grants: number;
  holds: number;
  holdMsTotal: number;
  holdMsMax: number;
  waits: number;
  waitMsTotal: number;
  waitMsMax: number;
}

/** A busy lock with who holds it now and how many wait, for `latchkey top`. */
export interface BusyLock extends LockStatsSummary {
  owner: string | null;
  fencingToken: number | null;
  /** the leader's clock at the current grant */
  grantedAtMs: number | null;
  waiting: number;
}

export interface LockActivityRequest {
  /** how many of the busiest locks, 1-100 (default 20) */
  limit?: number;
}

export interface LockActivityResponse {
  servedBy: string;
  role: string;
  term: number;
  leaderId: string | null;
  commitIndex: number;
  appliedIndex: number;
  nowMs: number;
  held: number;
  waiters: number;
  sessions: number;
  busiest: BusyLock[];
}
