import type { AppliedEntry, LockCommand, LockEvent, LockOutcome, LockTable } from '@app/lock-table';
import type { NodeId } from '@app/replicated-log';
import { LockShadow, type ShadowHolder } from './lock-shadow';
import { ensure } from './simulation-failure';

interface Step {
  shadow: LockShadow;
  index: number;
  timeMs: number;
  command: LockCommand;
  /** where the entry was applied, for failure messages (built only on failure) */
  where: () => string;
}

type Granted = Extract<LockEvent, { type: 'granted' }>;

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The lock table's properties, checked on every entry every node applies, against a shadow
 * of that node's table rebuilt from outcomes and events: mutual exclusion; fencing tokens
 * strictly increasing per lock; nothing granted to an ended session, and an ended session
 * keeps no lock and no waiter; waiters granted in FIFO order; a lock TTL or a wait never
 * expiring before its time (lower bound, from the granting entry's leader time); and a
 * retried requestId applied at most once.
 */
export class LockInvariants {
  private readonly shadows = new Map<NodeId, LockShadow>();
  /** `${lock}#${token}` -> owner, across every node and incarnation */
  private readonly tokenOwners = new Map<string, string>();

  onApplied(nodeId: NodeId, incarnation: number, applied: AppliedEntry): void {
    const { entry, command, outcome, events } = applied;
    if (command === null || outcome === null) return;
    const shadow = this.shadowOf(nodeId, incarnation);
    const where = () =>
      `${nodeId} applying ${JSON.stringify(command)} at ${entry.index} -> ${JSON.stringify(outcome)} ${JSON.stringify(events)}`;
    const step: Step = { shadow, index: entry.index, timeMs: entry.leaderTimeMs, command, where };
    if (this.isRetry(step, outcome, events)) return;
    this.beforeEvents(step, outcome, events);
    for (const event of events) this.onEvent(step, event);
    this.afterEvents(step, outcome);
    if ((command.type === 'preempt' || command.type === 'release') && command.requestId !== undefined)
      shadow.remember(command.clientId, command.requestId, requestKey(command), outcome);
  }

  /** The table itself must hold exactly the shadow: locks, waiters and sessions. */
  checkTable(nodeId: NodeId, incarnation: number, table: LockTable): void {
    const shadow = this.shadowOf(nodeId, incarnation);
    const { locks, waiters, sessions } = table.expiryState();
    let count = 0;
    for (const lock of locks) {
      count++;
      const held = shadow.holders.get(lock.name);
      ensure(
        held !== undefined &&
          held.owner === lock.owner &&
          held.sessionId === lock.sessionId &&
          held.fencingToken === lock.fencingToken &&
          held.expiresAtMs === lock.expiresAtMs,
        () =>
          `${nodeId}: lock table holds ${JSON.stringify(lock)}, the applied outcomes and events leave ${JSON.stringify(held)}`,
      );
    }
    ensure(
      count === shadow.holders.size,
      () => `${nodeId}: lock table holds ${count} locks, the shadow more`,
    );
    count = 0;
    for (const waiter of waiters) {
      count++;
      const known = shadow.waiters.get(waiter.waiterId);
      ensure(
        known !== undefined &&
          known.name === waiter.name &&
          known.clientId === waiter.clientId &&
          known.sessionId === waiter.sessionId &&
          known.deadlineMs === waiter.deadlineMs,
        () =>
          `${nodeId}: lock table has waiter ${JSON.stringify(waiter)}, the shadow ${JSON.stringify(known)}`,
      );
    }
    ensure(
      count === shadow.waiters.size,
      () => `${nodeId}: lock table has ${count} waiters, the shadow more`,
    );
    count = 0;
    for (const session of sessions) {
      count++;
      ensure(shadow.sessions.has(session.sessionId), () => `${nodeId}: unknown session ${session.sessionId}`);
    }
    ensure(
      count === shadow.sessions.size,
      () => `${nodeId}: lock table has ${count} sessions, the shadow more`,
    );
  }

  /** A request the table remembers is answered as before and changes nothing (at most once). */
  private isRetry(
    { shadow, command, where }: Step,
    outcome: LockOutcome,
    events: readonly LockEvent[],
  ): boolean {
    if ((command.type !== 'preempt' && command.type !== 'release') || command.requestId === undefined)
      return false;
    const earlier = shadow.remembered(command.clientId, command.requestId, requestKey(command));
    if (earlier === undefined) return false;
    ensure(events.length === 0, () => `${where()}: a retried requestId was applied a second time`);
    const settled =
      earlier.type === 'queued' ? (shadow.grantedWaiters.get(earlier.waiterId) ?? earlier) : earlier;
    ensure(
      sameJson(outcome, settled),
      () => `${where()}: a retry is answered unlike its first ${JSON.stringify(settled)}`,
    );
    return true;
  }

  private beforeEvents(step: Step, outcome: LockOutcome, events: readonly LockEvent[]): void {
    const { shadow, command, where } = step;
    const holder = 'name' in command ? shadow.holders.get(command.name) : undefined;
    const session = 'sessionId' in command ? (command.sessionId ?? null) : null;
    const isHolder = holder !== undefined && 'clientId' in command && holder.owner === command.clientId;
    switch (outcome.type) {
      case 'granted':
        if (!events.some((e) => e.type === 'granted'))
          ensure(
            isHolder && holder.sessionId === session && holder.fencingToken === outcome.fencingToken,
            () => `${where()}: a repeat grant to someone other than the holder ${JSON.stringify(holder)}`,
          );
        return;
      case 'lockHeld':
      case 'queued':
        ensure(command.type === 'preempt', () => `${where()}: ${outcome.type} for a ${command.type}`);
        ensure(
          holder !== undefined && !(isHolder && holder.sessionId === session),
          () => `${where()}: refused, but the holder is ${JSON.stringify(holder)}`,
        );
        ensure(
          holder.owner === outcome.owner && holder.fencingToken === outcome.fencingToken,
          () => `${where()}: reports a holder other than ${JSON.stringify(holder)}`,
        );
        ensure(
          (command.waitMs ?? 0) > 0 === (outcome.type === 'queued'),
          () => `${where()}: queued without waitMs`,
        );
        if (outcome.type === 'queued' && !events.some((e) => e.type === 'waiterQueued'))
          this.requeue(step, outcome.waiterId);
        return;
      case 'notHeld':
        ensure(holder === undefined, () => `${where()}: notHeld but the holder is ${JSON.stringify(holder)}`);
        return;
      case 'notOwner':
        ensure(
          holder !== undefined && !(isHolder && (holder.sessionId === null || holder.sessionId === session)),
          () => `${where()}: notOwner, but the holder is ${JSON.stringify(holder)}`,
        );
        return;
      case 'sessionNotFound':
        ensure(
          session === null || !shadow.sessions.has(session),
          () => `${where()}: session ${session} is live`,
        );
        return;
      case 'sessionMismatch':
        ensure(
          session !== null && 'clientId' in command && shadow.sessions.get(session) !== command.clientId,
          () => `${where()}: the session is the client's own`,
        );
        return;
      default:
        return;
    }
  }

  /** A retried wait keeps its place in the queue, with the later of the two deadlines. */
  private requeue({ shadow, command, timeMs, where }: Step, waiterId: number): void {
    const waiter = shadow.waiters.get(waiterId);
    ensure(
      waiter !== undefined && command.type === 'preempt' && waiter.clientId === command.clientId,
      () => `${where()}: queued as waiter ${waiterId}, which is not this client's`,
    );
    waiter.deadlineMs = Math.max(waiter.deadlineMs, timeMs + (command.waitMs ?? 0));
  }

  private onEvent(step: Step, event: LockEvent): void {
    const { shadow, command, timeMs, where } = step;
    switch (event.type) {
      case 'granted':
        return this.onGranted(step, event);
      case 'released':
      case 'expired': {
        const holder = shadow.holders.get(event.name);
        ensure(
          holder !== undefined && holder.owner === event.owner && holder.fencingToken === event.fencingToken,
          () => `${where()}: ${event.type} ${event.name}, but the holder is ${JSON.stringify(holder)}`,
        );
        ensure(freedRightly(command, event, holder), () => `${where()}: ${event.type} by the wrong command`);
        // The TTL's lower bound: never before the granting entry's time plus the TTL.
        if (event.type === 'expired' && event.reason === 'lockTtl')
          ensure(
            holder.expiresAtMs !== null && timeMs >= holder.expiresAtMs,
            () => `${where()}: lock TTL expired at ${timeMs} ms, before its end at ${holder.expiresAtMs} ms`,
          );
        shadow.holders.delete(event.name);
        return;
      }
      case 'waiterQueued': {
        ensure(
          command.type === 'preempt' && event.waiterId === step.index && event.name === command.name,
          () => `${where()}: a waiter queued by the wrong command`,
        );
        const { clientId, sessionId, ttlMs, waitMs } = command;
        shadow.enqueue({
          waiterId: event.waiterId,
          name: event.name,
          clientId,
          sessionId: sessionId ?? null,
          ttlMs: ttlMs ?? null,
          deadlineMs: timeMs + (waitMs ?? 0),
        });
        return;
      }
      case 'waiterLeft':
        return this.onWaiterLeft(step, event);
    }
  }

  private onWaiterLeft(step: Step, event: Extract<LockEvent, { type: 'waiterLeft' }>): void {
    const { shadow, command, timeMs, where } = step;
    const waiter = shadow.waiters.get(event.waiterId);
    ensure(waiter !== undefined, () => `${where()}: waiter ${event.waiterId} left but was not waiting`);
    if (event.reason === 'timedOut') {
      ensure(
        command.type === 'expireWaiter' && command.waiterId === event.waiterId,
        () => `${where()}: a waiter timed out by the wrong command`,
      );
      ensure(
        timeMs >= waiter.deadlineMs,
        () => `${where()}: waiter expired at ${timeMs} ms, before ${waiter.deadlineMs}`,
      );
    } else {
      ensure(
        (command.type === 'closeSession' || command.type === 'expireSession') &&
          command.sessionId === waiter.sessionId,
        () => `${where()}: a waiter left with a session that did not end`,
      );
    }
    shadow.dropWaiter(waiter);
  }

  private onGranted(step: Step, event: Granted): void {
    const { shadow, command, index, timeMs, where } = step;
    ensure(event.fencingToken === index, () => `${where()}: fencing token is not the granting entry's index`);
    const holder = shadow.holders.get(event.name);
    ensure(
      holder === undefined,
      () => `${where()}: granted while ${holder?.owner} holds it (mutual exclusion broken)`,
    );
    const queue = shadow.queues.get(event.name) ?? [];
    let grantee: { sessionId: string | null; ttlMs: number | null };
    if (event.waiterId === null) {
      ensure(
        command.type === 'preempt' && command.name === event.name && command.clientId === event.owner,
        () => `${where()}: granted to someone other than the preempting client`,
      );
      ensure(
        queue.length === 0,
        () => `${where()}: a new preempt was granted past waiters ${queue.map((w) => w.waiterId).join(',')}`,
      );
      grantee = { sessionId: command.sessionId ?? null, ttlMs: command.ttlMs ?? null };
    } else {
      const [first] = queue;
      // FIFO: only the earliest live waiter of the lock may be granted.
      ensure(
        first?.waiterId === event.waiterId && first.clientId === event.owner,
        () =>
          `${where()}: waiter ${event.waiterId} granted while ${first?.waiterId} waits before it (FIFO broken)`,
      );
      shadow.dropWaiter(first);
      shadow.grantedWaiters.set(event.waiterId, {
        type: 'granted',
        name: event.name,
        owner: event.owner,
        fencingToken: event.fencingToken,
      });
      grantee = first;
    }
    ensure(
      grantee.sessionId === null || shadow.sessions.has(grantee.sessionId),
      () =>
        `${where()}: granted to session ${grantee.sessionId}, which ${shadow.endedSessions.has(grantee.sessionId ?? '') ? 'has ended' : 'was never opened'}`,
    );
    const last = shadow.lastToken.get(event.name) ?? 0;
    ensure(
      event.fencingToken > last,
      () => `${where()}: fencing token ${event.fencingToken} not above ${last}`,
    );
    shadow.lastToken.set(event.name, event.fencingToken);
    const key = `${event.name}#${event.fencingToken}`;
    const known = this.tokenOwners.get(key);
    ensure(
      known === undefined || known === event.owner,
      () => `${where()}: token ${key} was granted to ${known} elsewhere`,
    );
    this.tokenOwners.set(key, event.owner);
    const expiresAtMs = grantee.ttlMs === null ? null : timeMs + grantee.ttlMs;
    shadow.holders.set(event.name, {
      owner: event.owner,
      sessionId: grantee.sessionId,
      fencingToken: event.fencingToken,
      expiresAtMs,
    });
  }

  private afterEvents({ shadow, command, where }: Step, outcome: LockOutcome): void {
    if (outcome.type === 'granted' && command.type === 'preempt') {
      const holder = shadow.holders.get(command.name);
      ensure(
        holder?.owner === command.clientId && holder.fencingToken === outcome.fencingToken,
        () => `${where()}: granted, but the lock is now ${JSON.stringify(holder)}`,
      );
    }
    if (outcome.type === 'sessionOpened' && command.type === 'openSession') {
      ensure(!shadow.sessions.has(command.sessionId), () => `${where()}: session opened twice`);
      shadow.sessions.set(command.sessionId, command.clientId);
    }
    if (command.type === 'closeSession' || command.type === 'expireSession') {
      const { sessionId } = command;
      ensure(
        (outcome.type === 'sessionClosed') === shadow.sessions.has(sessionId),
        () => `${where()}: live session ${sessionId} not ended, or an ended one ended again`,
      );
      shadow.sessions.delete(sessionId);
      shadow.endedSessions.add(sessionId);
      const kept = [...shadow.holders].filter(([, h]) => h.sessionId === sessionId).map(([name]) => name);
      const waiting = [...shadow.waiters.values()].filter((w) => w.sessionId === sessionId);
      ensure(
        kept.length === 0 && waiting.length === 0,
        () =>
          `${where()}: the ended session still holds [${kept.join(',')}] and has ${waiting.length} waiters`,
      );
    }
  }

  /** A restarted node rebuilds its table from index 1, so its shadow starts empty too. */
  private shadowOf(nodeId: NodeId, incarnation: number): LockShadow {
    let shadow = this.shadows.get(nodeId);
    if (shadow === undefined || shadow.incarnation !== incarnation) {
      shadow = new LockShadow(incarnation);
      this.shadows.set(nodeId, shadow);
    }
    return shadow;
  }
}

/** How the lock table tells a retry from a reused requestId (see LockTable.applyEntry). */
function requestKey(command: Extract<LockCommand, { type: 'preempt' | 'release' }>): string {
  return `${command.type} ${command.name} ${command.sessionId ?? ''}`;
}

/** Only the owner's release, its session's end or its own TTL may free a lock. */
function freedRightly(
  command: LockCommand,
  event: Extract<LockEvent, { type: 'released' | 'expired' }>,
  holder: ShadowHolder,
): boolean {
  if (event.type === 'expired' && event.reason === 'lockTtl')
    return command.type === 'expireLock' && command.fencingToken === holder.fencingToken;
  if (command.type === 'release')
    return (
      event.type === 'released' &&
      command.clientId === holder.owner &&
      (holder.sessionId === null || holder.sessionId === command.sessionId)
    );
  const ending = event.type === 'released' ? 'closeSession' : 'expireSession';
  return command.type === ending && command.sessionId === holder.sessionId;
}
