import type { RaftStatus } from '@app/replicated-log';

/** A member this many entries or fewer behind its commit index still serves fresh reads. */
export const READY_MAX_APPLY_LAG = 100;

export type Readiness =
  { ready: true } | { ready: false; reason: 'not a member' | 'no leader known' | 'applying the log' };

/** Ready: a member that knows a leader and has applied (nearly) all it knows committed. */
export function readinessOf(status: RaftStatus): Readiness {
  if (!status.members.some((m) => m.id === status.id)) return { ready: false, reason: 'not a member' };
  if (status.leaderId === null) return { ready: false, reason: 'no leader known' };
  if (status.commitIndex - status.appliedIndex > READY_MAX_APPLY_LAG)
    return { ready: false, reason: 'applying the log' };
  return { ready: true };
}
