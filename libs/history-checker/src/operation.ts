/**
 * One completed (or abandoned) client operation on one lock, as the checker sees it.
 * Times come from the recording process's own monotonic clock; the interval
 * [call, ret] is closed. `ret` is Infinity when the outcome is unknown (a timeout, a reset
 * connection, a 5xx after the request may have been proposed): such an operation may take
 * effect at any instant after its call, or never (Jepsen's `:info`).
 */
export type LockOperation = PreemptOperation | ReleaseOperation | CheckOperation | ExpireOperation;

interface Timed {
  key: string;
  call: number;
  ret: number;
  /** a label for reports, e.g. the client's own operation id */
  id: string;
}

export type PreemptOutcome =
  | { type: 'granted'; token: number }
  /** held by someone else; owner and token when the answer named them */
  | { type: 'held'; owner?: string; token?: number }
  | { type: 'unknown' };

export interface PreemptOperation extends Timed {
  kind: 'preempt';
  client: string;
  outcome: PreemptOutcome;
}

export type ReleaseOutcome =
  | { type: 'released' }
  /** not_held: the lock was free; not_owner: someone else held it; undefined: either */
  | { type: 'refused'; reason?: 'not_held' | 'not_owner' }
  | { type: 'unknown' };

export interface ReleaseOperation extends Timed {
  kind: 'release';
  client: string;
  outcome: ReleaseOutcome;
}

/** A linearizable check (served after a quorum round); its answer must be the current state. */
export interface CheckOperation extends Timed {
  kind: 'check';
  owner: string | null;
  token: number | null;
}

/**
 * A release the cluster decided by itself (a session or lock TTL ran out), taken from the
 * committed log: the lock of `client` with `token` became free at some instant in [call, ret].
 */
export interface ExpireOperation extends Timed {
  kind: 'expire';
  client: string;
  token: number;
}
