import type { LogIndex } from '@app/replicated-log';

/** A held lock. The fencing token is the log index of the granting entry. */
export interface LockState {
  name: string;
  owner: string;
  fencingToken: LogIndex;
}

/** What the table keeps per lock; the session id is a secret and never leaves the node. */
export interface HeldLock extends LockState {
  sessionId: string | null;
  /** the leader's clock time at which the lock frees itself; null without a TTL */
  expiresAtMs: number | null;
}

export interface Session {
  sessionId: string;
  clientId: string;
  ttlMs: number;
  locks: Set<string>;
  waiterIds: Set<number>;
}

/** A preempt waiting in a lock's queue; its id is the index of the entry that queued it. */
export interface Waiter {
  waiterId: LogIndex;
  name: string;
  clientId: string;
  sessionId: string | null;
  ttlMs: number | null;
  deadlineMs: number;
}
