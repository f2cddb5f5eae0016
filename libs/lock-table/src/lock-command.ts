/**
 * Commands the lock table applies, in log order, on every node. Clients' requests
 * (preempt, release, sessions) and the leader's decisions that time has passed
 * (expire*) are both commands: every node applies the same decisions.
 */
export type LockCommand =
  | {
      type: 'preempt';
      name: string;
      clientId: string;
      sessionId?: string;
      /** the lock frees itself this long after the grant */
      ttlMs?: number;
      /** join the lock's FIFO queue for up to this long if it is held */
      waitMs?: number;
      /** the client's number for this request; a retry with the same number is applied once */
      requestId?: number;
    }
  | { type: 'release'; name: string; clientId: string; sessionId?: string; requestId?: number }
  | { type: 'openSession'; sessionId: string; clientId: string; ttlMs: number }
  | { type: 'closeSession'; sessionId: string }
  /** the leader saw no keepalive for the session's TTL */
  | { type: 'expireSession'; sessionId: string }
  /** the leader's clock passed the lock's expiry */
  | { type: 'expireLock'; name: string; fencingToken: number }
  /**
   * the leader's clock passed the waiter's deadline `deadlineMs` (absent in entries of
   * earlier versions); a no-op if the deadline has moved since
   */
  | { type: 'expireWaiter'; waiterId: number; deadlineMs?: number };
