/**
 * What applying one command decided for the client that sent it. Refusals are values
 * (errors inside, mapped to HTTP 404/409 or an RPC answer only at the edge).
 */
export type LockOutcome =
  | { type: 'granted'; name: string; owner: string; fencingToken: number }
  | { type: 'lockHeld'; name: string; owner: string; fencingToken: number }
  /** the request waits in the queue; its answer comes with the event naming waiterId */
  | { type: 'queued'; name: string; waiterId: number; owner: string; fencingToken: number }
  | { type: 'released'; name: string; previousOwner: string; fencingToken: number }
  | { type: 'notHeld'; name: string }
  | { type: 'notOwner'; name: string; owner: string }
  | { type: 'sessionOpened'; sessionId: string; clientId: string; ttlMs: number }
  | { type: 'sessionClosed'; sessionId: string }
  | { type: 'sessionNotFound' }
  /** the session exists but belongs to another client */
  | { type: 'sessionMismatch' }
  /** an expiry the leader proposed that no longer applies (already released, ...) */
  | { type: 'noChange' };

export type LockHeld = Extract<LockOutcome, { type: 'lockHeld' }>;
export type NotOwner = Extract<LockOutcome, { type: 'notOwner' }>;
