import type { LockOutcome } from './lock-outcome';

/**
 * Changes to the lock map that one applied entry caused. Several can follow from one
 * entry: a release that grants the next waiter, a session expiry releasing its locks.
 * Events carry no session ids: they feed read models and watch streams.
 */
export type LockEvent =
  | { type: 'granted'; name: string; owner: string; fencingToken: number; waiterId: number | null }
  | { type: 'released'; name: string; owner: string; fencingToken: number }
  | { type: 'expired'; name: string; owner: string; fencingToken: number; reason: 'lockTtl' | 'session' }
  | { type: 'waiterQueued'; name: string; waiterId: number }
  | { type: 'waiterLeft'; name: string; waiterId: number; reason: 'timedOut' | 'sessionEnded' };

export interface AppliedCommand {
  outcome: LockOutcome;
  events: LockEvent[];
}
