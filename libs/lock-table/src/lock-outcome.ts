/**
 * What applying one command decided. Refusals are values (errors inside, mapped to
 * HTTP 409 or an RPC answer only at the edge).
 */
export type LockOutcome =
  | { type: 'granted'; name: string; owner: string; fencingToken: number }
  | { type: 'lockHeld'; name: string; owner: string; fencingToken: number }
  | { type: 'released'; name: string; previousOwner: string; fencingToken: number }
  | { type: 'notHeld'; name: string }
  | { type: 'notOwner'; name: string; owner: string };

export type LockHeld = Extract<LockOutcome, { type: 'lockHeld' }>;
export type NotOwner = Extract<LockOutcome, { type: 'notOwner' }>;
