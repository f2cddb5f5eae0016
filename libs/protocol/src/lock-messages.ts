/** Request and response payloads of the lock operations, shared by server and SDK. */

export interface PreemptLockRequest {
  name: string;
  clientId: string;
}

export interface ReleaseLockRequest {
  name: string;
  clientId: string;
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
  appliedIndex: number;
  servedBy: string;
}

export interface LockSummary {
  name: string;
  owner: string;
  fencingToken: number;
}
