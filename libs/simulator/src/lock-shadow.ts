import type { LockOutcome } from '@app/lock-table';

/** How many requests per client the lock table remembers (ClientRequests); the shadow mirrors it. */
export const REMEMBERED_REQUESTS_PER_CLIENT = 64;

export interface ShadowHolder {
  owner: string;
  sessionId: string | null;
  fencingToken: number;
  /** the granting entry's leader time plus the TTL; null without a TTL */
  expiresAtMs: number | null;
}

export interface ShadowWaiter {
  waiterId: number;
  name: string;
  clientId: string;
  sessionId: string | null;
  ttlMs: number | null;
  deadlineMs: number;
}

/**
 * What one incarnation of one node's lock table must hold, rebuilt from the applied
 * entries' outcomes and events alone (never from the table), so that the table can be
 * compared with it.
 */
export class LockShadow {
  readonly holders = new Map<string, ShadowHolder>();
  /** per lock, its live waiters in the order they queued */
  readonly queues = new Map<string, ShadowWaiter[]>();
  readonly waiters = new Map<number, ShadowWaiter>();
  /** live sessions -> their client */
  readonly sessions = new Map<string, string>();
  readonly endedSessions = new Set<string>();
  /** per lock, the highest fencing token granted */
  readonly lastToken = new Map<string, number>();
  /** per client: requestId -> (request, first outcome), oldest first */
  private readonly requests = new Map<string, Map<number, { request: string; outcome: LockOutcome }>>();
  /** grants that queued preempts came to, by waiter id */
  readonly grantedWaiters = new Map<number, LockOutcome>();

  constructor(readonly incarnation: number) {}

  remembered(clientId: string, requestId: number, request: string): LockOutcome | undefined {
    const known = this.requests.get(clientId)?.get(requestId);
    return known?.request === request ? known.outcome : undefined;
  }

  remember(clientId: string, requestId: number, request: string, outcome: LockOutcome): void {
    const mine = this.requests.get(clientId) ?? new Map<number, { request: string; outcome: LockOutcome }>();
    this.requests.set(clientId, mine);
    mine.set(requestId, { request, outcome });
    if (mine.size > REMEMBERED_REQUESTS_PER_CLIENT) mine.delete(mine.keys().next().value!);
  }

  enqueue(waiter: ShadowWaiter): void {
    const queue = this.queues.get(waiter.name) ?? [];
    queue.push(waiter);
    this.queues.set(waiter.name, queue);
    this.waiters.set(waiter.waiterId, waiter);
  }

  dropWaiter(waiter: ShadowWaiter): void {
    this.waiters.delete(waiter.waiterId);
    const queue = (this.queues.get(waiter.name) ?? []).filter((w) => w !== waiter);
    if (queue.length === 0) this.queues.delete(waiter.name);
    else this.queues.set(waiter.name, queue);
  }
}
