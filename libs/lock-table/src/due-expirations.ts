import type { LockCommand } from './lock-command';
import type { HeldLock, Session, Waiter } from './lock-state';

/**
 * The expiries the leader should propose at `nowMs` (the clock the log's entries are
 * stamped with): locks past their TTL, waiters past their deadline, and the sessions
 * `sessionExpired` names (the leader keeps keepalive times itself). Only the leader calls
 * this; followers apply what it decides.
 */
export function dueExpirations(
  state: { locks: Iterable<HeldLock>; waiters: Iterable<Waiter>; sessions: Iterable<Session> },
  nowMs: number,
  sessionExpired: (session: Session) => boolean,
): LockCommand[] {
  const due: LockCommand[] = [];
  for (const lock of state.locks) {
    if (lock.expiresAtMs !== null && lock.expiresAtMs <= nowMs) {
      due.push({ type: 'expireLock', name: lock.name, fencingToken: lock.fencingToken });
    }
  }
  for (const waiter of state.waiters) {
    if (waiter.deadlineMs <= nowMs)
      due.push({ type: 'expireWaiter', waiterId: waiter.waiterId, deadlineMs: waiter.deadlineMs });
  }
  for (const session of state.sessions) {
    if (sessionExpired(session)) {
      due.push({ type: 'expireSession', sessionId: session.sessionId });
    }
  }
  return due;
}
