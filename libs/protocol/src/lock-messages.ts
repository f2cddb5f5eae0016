/** Request and response payloads of the lock operations, shared by server and SDK. */

export interface PreemptLockRequest {
  name: string;
  clientId: string;
  /** the lock belongs to this session and ends with it */
  sessionId?: string;
  /** the lock frees itself this long after the grant unless released earlier */
  ttlMs?: number;
  /** wait in the lock's FIFO queue up to this long when it is held */
  waitMs?: number;
  /** a number the client never reuses for another request; a retry with it is applied once */
  requestId?: number;
}

export interface ReleaseLockRequest {
  name: string;
  clientId: string;
  /** required for a lock taken with a session */
  sessionId?: string;
  requestId?: number;
}

export interface CheckLockRequest {
  name: string;
}

export interface ListLocksRequest {
  prefix?: string;
}

/**
 * `index` is the log index of the entry that decided the answer; a client may use it to
 * read its own write on any node. The HTTP gateway leaves it out.
 */
export interface PreemptLockResponse {
  name: string;
  acquired: boolean;
  owner: string | null;
  fencingToken: number | null;
  index?: number;
}

export type ReleaseRefusal = 'not_held' | 'not_owner';

export interface ReleaseLockResponse {
  name: string;
  released: boolean;
  reason?: ReleaseRefusal;
  owner?: string | null;
  index?: number;
}

export interface CheckLockResponse {
  name: string;
  owner: string | null;
  fencingToken: number | null;
  /** how many preempts wait in the lock's queue */
  waiters: number;
  appliedIndex: number;
  servedBy: string;
}

/** What a watch stream reports, from the node's own applied log. */
export interface LockWatchEvent {
  type: 'granted' | 'released' | 'expired';
  name: string;
  owner: string;
  fencingToken: number;
  /** the log index of the entry that made the change */
  index: number;
}

export interface LockSummary {
  name: string;
  owner: string;
  fencingToken: number;
}
