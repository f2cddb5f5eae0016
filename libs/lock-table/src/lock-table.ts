import { assert, type LogIndex } from '@app/replicated-log';
import { ClientRequests } from './client-requests';
import { constantTimeEqual } from './constant-time-equal';
import { GrantedWaiters } from './granted-waiters';
import type { LockCommand } from './lock-command';
import type { AppliedCommand, LockEvent } from './lock-event';
import type { LockOutcome } from './lock-outcome';
import type { HeldLock, LockState, Session, Waiter } from './lock-state';
import type { LockTableSnapshot } from './lock-table-snapshot';

type Preempt = Extract<LockCommand, { type: 'preempt' }>;
type Release = Extract<LockCommand, { type: 'release' }>;

/**
 * The replicated state machine: locks, their holders and queues, and sessions. It is
 * deterministic and only ever sees committed entries, so every node that applies the
 * same log ends in the same state. Time enters only as the leader's clock stamped on
 * each entry; expiries are decided by the leader and arrive as commands.
 */
export class LockTable {
  private readonly locks = new Map<string, HeldLock>();
  private readonly queues = new Map<string, Waiter[]>();
  private readonly waitersById = new Map<number, Waiter>();
  private readonly sessionsById = new Map<string, Session>();
  private readonly clientRequests = new ClientRequests();
  private readonly grantedWaiters = new GrantedWaiters();

  /** `unsafeIgnoreOwnerOnRelease` is a test-only negative control: any client's release frees the lock. */
  constructor(private readonly unsafe: { unsafeIgnoreOwnerOnRelease?: boolean } = {}) {}
  private lastAppliedIndex: LogIndex = 0;
  private events: LockEvent[] = [];

  get appliedIndex(): LogIndex {
    return this.lastAppliedIndex;
  }

  get size(): number {
    return this.locks.size;
  }

  /** Applies the command of the entry at `index`; indexes must strictly increase. */
  applyEntry(index: LogIndex, leaderTimeMs: number, command: LockCommand): AppliedCommand {
    this.advanceTo(index);
    this.events = [];
    if ((command.type === 'preempt' || command.type === 'release') && command.requestId !== undefined) {
      const request = `${command.type} ${command.name} ${command.sessionId ?? ''}`;
      const earlier = this.clientRequests.outcomeOf(command.clientId, command.requestId, request);
      if (earlier) return { outcome: this.grantedWaiters.settled(earlier), events: [] };
      const outcome = this.decide(index, leaderTimeMs, command);
      this.clientRequests.remember(command.clientId, command.requestId, request, outcome);
      return { outcome, events: this.events };
    }
    const outcome = this.decide(index, leaderTimeMs, command);
    return { outcome, events: this.events };
  }

  /** The outcome alone, for callers that do not follow events. */
  apply(index: LogIndex, command: LockCommand, leaderTimeMs = 0): LockOutcome {
    return this.applyEntry(index, leaderTimeMs, command).outcome;
  }

  /** Records that a non-command entry (noop, membership) was applied. */
  skip(index: LogIndex): void {
    this.advanceTo(index);
  }

  ownerOf(name: string): LockState | null {
    const lock = this.locks.get(name);
    return lock ? { name: lock.name, owner: lock.owner, fencingToken: lock.fencingToken } : null;
  }

  waitingCount(name: string): number {
    return this.queues.get(name)?.length ?? 0;
  }

  /** Held locks whose name starts with `prefix`, sorted by name, at most `limit`. */
  list(prefix: string, limit: number): LockState[] {
    const names = [...this.locks.keys()].filter((name) => name.startsWith(prefix)).sort();
    return names.slice(0, limit).map((name) => this.ownerOf(name)!);
  }

  /** The locks that have a queue. */
  queuedLockNames(): string[] {
    return [...this.queues.keys()];
  }

  hasSession(sessionId: string): boolean {
    return this.sessionsById.has(sessionId);
  }

  session(sessionId: string): Readonly<Session> | null {
    return this.sessionsById.get(sessionId) ?? null;
  }

  /** For the leader's expiry scan (see dueExpirations). */
  expiryState(): { locks: Iterable<HeldLock>; waiters: Iterable<Waiter>; sessions: Iterable<Session> } {
    return {
      locks: this.locks.values(),
      waiters: this.waitersById.values(),
      sessions: this.sessionsById.values(),
    };
  }

  /** A copy of the replicated state as plain data (section 7), as of `appliedIndex`. */
  exportState(): LockTableSnapshot {
    return {
      version: 1,
      appliedIndex: this.lastAppliedIndex,
      locks: [...this.locks.values()].map((lock) => ({ ...lock })),
      queues: [...this.queues.values()].map((queue) => queue.map((waiter) => ({ ...waiter }))),
      sessions: [...this.sessionsById.values()].map(({ sessionId, clientId, ttlMs }) => ({
        sessionId,
        clientId,
        ttlMs,
      })),
      clientRequests: this.clientRequests.exportState(),
      grantedWaiters: this.grantedWaiters.exportState(),
    };
  }

  /** Replaces the whole state with a snapshot's (a restart, or a snapshot from the leader). */
  importState(state: LockTableSnapshot): void {
    this.locks.clear();
    this.queues.clear();
    this.waitersById.clear();
    this.sessionsById.clear();
    for (const { sessionId, clientId, ttlMs } of state.sessions)
      this.sessionsById.set(sessionId, {
        sessionId,
        clientId,
        ttlMs,
        locks: new Set(),
        waiterIds: new Set(),
      });
    for (const lock of state.locks) {
      this.locks.set(lock.name, { ...lock });
      if (lock.sessionId !== null) this.sessionsById.get(lock.sessionId)?.locks.add(lock.name);
    }
    for (const queue of state.queues) {
      const copy = queue.map((waiter) => ({ ...waiter }));
      const first = copy[0];
      if (first === undefined) continue;
      this.queues.set(first.name, copy);
      for (const waiter of copy) {
        this.waitersById.set(waiter.waiterId, waiter);
        if (waiter.sessionId !== null)
          this.sessionsById.get(waiter.sessionId)?.waiterIds.add(waiter.waiterId);
      }
    }
    this.clientRequests.importState(state.clientRequests);
    this.grantedWaiters.importState(state.grantedWaiters);
    this.lastAppliedIndex = state.appliedIndex;
    this.events = [];
  }

  private decide(index: LogIndex, leaderTimeMs: number, command: LockCommand): LockOutcome {
    switch (command.type) {
      case 'preempt':
        return this.preempt(index, leaderTimeMs, command);
      case 'release':
        return this.release(index, leaderTimeMs, command);
      case 'openSession':
        return this.openSession(command.sessionId, command.clientId, command.ttlMs);
      case 'closeSession':
        return this.endSession(index, leaderTimeMs, command.sessionId, 'released');
      case 'expireSession':
        return this.endSession(index, leaderTimeMs, command.sessionId, 'expired');
      case 'expireLock':
        return this.expireLock(index, leaderTimeMs, command.name, command.fencingToken);
      case 'expireWaiter':
        return this.expireWaiter(command.waiterId, command.deadlineMs);
    }
  }

  private advanceTo(index: LogIndex): void {
    assert(index > this.lastAppliedIndex, `apply out of order: ${index} after ${this.lastAppliedIndex}`);
    this.lastAppliedIndex = index;
  }

  private preempt(index: LogIndex, leaderTimeMs: number, command: Preempt): LockOutcome {
    const sessionId = command.sessionId ?? null;
    if (sessionId !== null) {
      const session = this.sessionsById.get(sessionId);
      if (!session) return { type: 'sessionNotFound' };
      if (session.clientId !== command.clientId) return { type: 'sessionMismatch' };
    }
    const held = this.locks.get(command.name);
    if (held && held.owner === command.clientId && held.sessionId === sessionId) {
      // Preempting a lock one already holds is an idempotent retry: same token.
      return { type: 'granted', name: held.name, owner: held.owner, fencingToken: held.fencingToken };
    }
    if (held) {
      if (!command.waitMs)
        return { type: 'lockHeld', name: held.name, owner: held.owner, fencingToken: held.fencingToken };
      // A client waits once per lock: a retried wait joins its earlier place in the queue.
      const earlier = this.queues
        .get(command.name)
        ?.find((w) => w.clientId === command.clientId && w.sessionId === sessionId);
      if (earlier) {
        earlier.deadlineMs = Math.max(earlier.deadlineMs, leaderTimeMs + command.waitMs);
        return {
          type: 'queued',
          name: held.name,
          waiterId: earlier.waiterId,
          owner: held.owner,
          fencingToken: held.fencingToken,
        };
      }
      this.enqueue({
        waiterId: index,
        name: command.name,
        clientId: command.clientId,
        sessionId,
        ttlMs: command.ttlMs ?? null,
        deadlineMs: leaderTimeMs + command.waitMs,
      });
      return {
        type: 'queued',
        name: held.name,
        waiterId: index,
        owner: held.owner,
        fencingToken: held.fencingToken,
      };
    }
    const granted = this.grant(
      command.name,
      command.clientId,
      sessionId,
      command.ttlMs ?? null,
      index,
      leaderTimeMs,
      null,
    );
    return { type: 'granted', name: granted.name, owner: granted.owner, fencingToken: granted.fencingToken };
  }

  private release(index: LogIndex, leaderTimeMs: number, command: Release): LockOutcome {
    const held = this.locks.get(command.name);
    if (!held) return { type: 'notHeld', name: command.name };
    // A session lock is released only by proving the session's secret (owner ids are public).
    const sessionMatches =
      held.sessionId === null ||
      (command.sessionId !== undefined && constantTimeEqual(held.sessionId, command.sessionId));
    if ((held.owner !== command.clientId || !sessionMatches) && !this.unsafe.unsafeIgnoreOwnerOnRelease)
      return { type: 'notOwner', name: held.name, owner: held.owner };
    this.free(held, index, leaderTimeMs, {
      type: 'released',
      name: held.name,
      owner: held.owner,
      fencingToken: held.fencingToken,
    });
    return { type: 'released', name: held.name, previousOwner: held.owner, fencingToken: held.fencingToken };
  }

  private openSession(sessionId: string, clientId: string, ttlMs: number): LockOutcome {
    assert(!this.sessionsById.has(sessionId), 'session id reused');
    this.sessionsById.set(sessionId, { sessionId, clientId, ttlMs, locks: new Set(), waiterIds: new Set() });
    return { type: 'sessionOpened', sessionId, clientId, ttlMs };
  }

  /** Closing or expiring a session frees its locks and takes its waiters out of queues. */
  private endSession(
    index: LogIndex,
    leaderTimeMs: number,
    sessionId: string,
    how: 'released' | 'expired',
  ): LockOutcome {
    const session = this.sessionsById.get(sessionId);
    if (!session) return how === 'expired' ? { type: 'noChange' } : { type: 'sessionNotFound' };
    this.sessionsById.delete(sessionId);
    for (const waiterId of [...session.waiterIds]) this.dropWaiter(waiterId, 'sessionEnded');
    for (const name of [...session.locks]) {
      const held = this.locks.get(name)!;
      const event: LockEvent =
        how === 'expired'
          ? { type: 'expired', name, owner: held.owner, fencingToken: held.fencingToken, reason: 'session' }
          : { type: 'released', name, owner: held.owner, fencingToken: held.fencingToken };
      this.free(held, index, leaderTimeMs, event);
    }
    return { type: 'sessionClosed', sessionId };
  }

  private expireLock(index: LogIndex, leaderTimeMs: number, name: string, fencingToken: number): LockOutcome {
    const held = this.locks.get(name);
    if (!held || held.fencingToken !== fencingToken) return { type: 'noChange' };
    this.free(held, index, leaderTimeMs, {
      type: 'expired',
      name,
      owner: held.owner,
      fencingToken,
      reason: 'lockTtl',
    });
    return { type: 'noChange' };
  }

  /**
   * The expiry was decided for `deadlineMs`; a retried wait applied since may have moved
   * the deadline, and then this expiry is stale. Entries written before expiries carried
   * a deadline have none and expire unconditionally, as they did when first applied.
   */
  private expireWaiter(waiterId: number, deadlineMs: number | undefined): LockOutcome {
    const waiter = this.waitersById.get(waiterId);
    if (waiter && (deadlineMs === undefined || waiter.deadlineMs === deadlineMs))
      this.dropWaiter(waiterId, 'timedOut');
    return { type: 'noChange' };
  }

  private grant(
    name: string,
    owner: string,
    sessionId: string | null,
    ttlMs: number | null,
    index: LogIndex,
    leaderTimeMs: number,
    waiterId: number | null,
  ): HeldLock {
    const lock: HeldLock = {
      name,
      owner,
      fencingToken: index,
      sessionId,
      expiresAtMs: ttlMs === null ? null : leaderTimeMs + ttlMs,
    };
    this.locks.set(name, lock);
    if (sessionId !== null) this.sessionsById.get(sessionId)!.locks.add(name);
    this.events.push({ type: 'granted', name, owner, fencingToken: index, waiterId });
    return lock;
  }

  /**
   * Frees a lock and, in the same step, grants it to the first waiter: no polling, no
   * herd, and the new token is this entry's index, larger than the old one.
   */
  private free(held: HeldLock, index: LogIndex, leaderTimeMs: number, event: LockEvent): void {
    this.locks.delete(held.name);
    if (held.sessionId !== null) this.sessionsById.get(held.sessionId)?.locks.delete(held.name);
    this.events.push(event);
    const next = this.queues.get(held.name)?.[0];
    if (!next) return;
    this.dropWaiter(next.waiterId, null);
    const lock = this.grant(
      next.name,
      next.clientId,
      next.sessionId,
      next.ttlMs,
      index,
      leaderTimeMs,
      next.waiterId,
    );
    this.grantedWaiters.remember(next.waiterId, {
      type: 'granted',
      name: lock.name,
      owner: lock.owner,
      fencingToken: lock.fencingToken,
    });
  }

  private enqueue(waiter: Waiter): void {
    const queue = this.queues.get(waiter.name) ?? [];
    queue.push(waiter);
    this.queues.set(waiter.name, queue);
    this.waitersById.set(waiter.waiterId, waiter);
    if (waiter.sessionId !== null) this.sessionsById.get(waiter.sessionId)!.waiterIds.add(waiter.waiterId);
    this.events.push({ type: 'waiterQueued', name: waiter.name, waiterId: waiter.waiterId });
  }

  /** Removes a waiter; `reason` null means it leaves because it was granted. */
  private dropWaiter(waiterId: number, reason: 'timedOut' | 'sessionEnded' | null): void {
    const waiter = this.waitersById.get(waiterId);
    assert(waiter !== undefined, `no waiter ${waiterId}`);
    this.waitersById.delete(waiterId);
    const queue = this.queues.get(waiter.name)!.filter((w) => w.waiterId !== waiterId);
    if (queue.length === 0) this.queues.delete(waiter.name);
    else this.queues.set(waiter.name, queue);
    if (waiter.sessionId !== null) this.sessionsById.get(waiter.sessionId)?.waiterIds.delete(waiterId);
    if (reason !== null) this.events.push({ type: 'waiterLeft', name: waiter.name, waiterId, reason });
  }
}
