import type { LockOutcome } from './lock-outcome';
import type { HeldLock, Waiter } from './lock-state';

type Granted = Extract<LockOutcome, { type: 'granted' }>;

/**
 * The replicated state of a LockTable as plain data (Raft section 7: a snapshot is the
 * state machine's state at one applied index). Everything a node derives from the log is
 * here: held locks, queues in order, sessions, the request-dedup table and the grants of
 * queued preempts, both in their eviction order so a restored node evicts as the others
 * do. A session's locks and waiters are derived from the locks and queues on restore.
 */
export interface LockTableSnapshot {
  version: 1;
  appliedIndex: number;
  locks: HeldLock[];
  /** every queue in FIFO order */
  queues: Waiter[][];
  sessions: { sessionId: string; clientId: string; ttlMs: number }[];
  /** per client, least recently used first: [clientId, [requestId, request, outcome][]] */
  clientRequests: [string, [number, string, LockOutcome][]][];
  /** oldest first */
  grantedWaiters: [number, Granted][];
}

/** A decoded snapshot that is not one is refused with a reason (a value, not a throw). */
export function checkLockTableSnapshot(value: unknown): LockTableSnapshot | string {
  if (typeof value !== 'object' || value === null) return 'snapshot state is not an object';
  const state = value as Record<string, unknown>;
  if (state.version !== 1) return `unknown snapshot state version ${JSON.stringify(state.version)}`;
  if (!Number.isSafeInteger(state.appliedIndex)) return 'snapshot state has no appliedIndex';
  for (const field of ['locks', 'queues', 'sessions', 'clientRequests', 'grantedWaiters'])
    if (!Array.isArray(state[field])) return `snapshot state field ${field} is not a list`;
  return value as LockTableSnapshot;
}
