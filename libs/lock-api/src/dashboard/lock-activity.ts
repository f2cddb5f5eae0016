import type { LockCommand, LockEvent, LockOutcome } from '@app/lock-table';
import type { BusyLock, LockStatsSummary } from '@app/protocol';

/** A queued preempt as the dashboard shows it; session ids never reach this model. */
export interface WaiterView {
  waiterId: number;
  clientId: string;
  /** the leader's clock when the waiter joined the queue */
  queuedAtMs: number;
  /** the leader's clock when the waiter gives up */
  deadlineMs: number;
}

export interface HeldLockView {
  name: string;
  owner: string;
  fencingToken: number;
  /** the leader's clock at the granting entry */
  grantedAtMs: number;
  /** the leader's clock when the lock frees itself; null without a TTL */
  expiresAtMs: number | null;
  waiters: WaiterView[];
}

export interface FeedItem {
  type: 'granted' | 'released' | 'expired';
  name: string;
  owner: string;
  fencingToken: number;
  index: number;
  atMs: number;
}

/** Hold and wait figures of one lock since this node started. */
export type LockStats = LockStatsSummary;

/** What one applied entry changed, for counters and histograms. */
export interface ActivityDelta {
  command: LockCommand['type'];
  grants: number;
  releases: number;
  expiries: { lockTtl: number; session: number };
  holdMs: number[];
  waitMs: number[];
  sessions: number;
}

/** One applied lock entry, as the replica publishes it. */
export interface AppliedLockEntry {
  index: number;
  command: LockCommand;
  outcome: LockOutcome;
  events: readonly LockEvent[];
  leaderTimeMs: number;
}

const FEED_LENGTH = 100;
/** Per-lock statistics are kept for at most this many names; the least used go first. */
const MAX_STATS = 2000;
const STATS_KEPT_ON_PRUNE = 1500;

/**
 * Who holds what since when, who waits in which order, and a feed of recent changes:
 * the detail the dashboard shows and the check API does not need. Built from applied
 * entries only, with the leader's clock stamped in each, so every node shows the same.
 */
export class LockActivity {
  private readonly held = new Map<string, Omit<HeldLockView, 'waiters'>>();
  private readonly waiters = new Map<number, WaiterView & { name: string; ttlMs: number | null }>();
  /** waiter ids per lock, in queue order */
  private readonly queues = new Map<string, number[]>();
  private readonly stats = new Map<string, LockStats>();
  private readonly feed: FeedItem[] = [];
  private openSessions = 0;
  private sortedNames: string[] | null = null;
  private changes = 0;

  /** Grows by one with every change, so a viewer knows when to refresh. */
  get version(): number {
    return this.changes;
  }

  get sessionCount(): number {
    return this.openSessions;
  }

  get heldCount(): number {
    return this.held.size;
  }

  get waiterCount(): number {
    return this.waiters.size;
  }

  record(entry: AppliedLockEntry): ActivityDelta {
    const delta: ActivityDelta = {
      command: entry.command.type,
      grants: 0,
      releases: 0,
      expiries: { lockTtl: 0, session: 0 },
      holdMs: [],
      waitMs: [],
      sessions: sessionChange(entry.outcome),
    };
    this.openSessions += delta.sessions;
    for (const event of entry.events) this.apply(event, entry, delta);
    this.changes++;
    return delta;
  }

  private apply(event: LockEvent, entry: AppliedLockEntry, delta: ActivityDelta): void {
    const atMs = entry.leaderTimeMs;
    switch (event.type) {
      case 'waiterQueued':
        return this.queue(event.name, event.waiterId, entry);
      case 'waiterLeft':
        return this.unqueue(event.waiterId);
      case 'granted': {
        const waiter = event.waiterId === null ? undefined : this.waiters.get(event.waiterId);
        if (waiter) {
          this.unqueue(waiter.waiterId);
          delta.waitMs.push(atMs - waiter.queuedAtMs);
          this.statsOf(event.name, (s) => recordWait(s, atMs - waiter.queuedAtMs));
        }
        const ttlMs = waiter ? waiter.ttlMs : entry.command.type === 'preempt' ? entry.command.ttlMs : null;
        this.held.set(event.name, {
          name: event.name,
          owner: event.owner,
          fencingToken: event.fencingToken,
          grantedAtMs: atMs,
          expiresAtMs: ttlMs ? atMs + ttlMs : null,
        });
        this.sortedNames = null;
        delta.grants++;
        this.statsOf(event.name, (s) => s.grants++);
        return this.pushFeed({ ...event, index: entry.index, atMs });
      }
      case 'released':
      case 'expired': {
        const lock = this.held.get(event.name);
        if (lock) {
          const holdMs = atMs - lock.grantedAtMs;
          delta.holdMs.push(holdMs);
          this.statsOf(event.name, (s) => recordHold(s, holdMs));
        }
        this.held.delete(event.name);
        this.sortedNames = null;
        if (event.type === 'released') delta.releases++;
        else delta.expiries[event.reason]++;
        return this.pushFeed({
          type: event.type,
          name: event.name,
          owner: event.owner,
          fencingToken: event.fencingToken,
          index: entry.index,
          atMs,
        });
      }
    }
  }

  private queue(name: string, waiterId: number, entry: AppliedLockEntry): void {
    const command = entry.command;
    if (command.type !== 'preempt') return;
    const waiter = {
      waiterId,
      name,
      clientId: command.clientId,
      queuedAtMs: entry.leaderTimeMs,
      deadlineMs: entry.leaderTimeMs + (command.waitMs ?? 0),
      ttlMs: command.ttlMs ?? null,
    };
    this.waiters.set(waiterId, waiter);
    const queue = this.queues.get(name);
    if (queue) queue.push(waiterId);
    else this.queues.set(name, [waiterId]);
  }

  private unqueue(waiterId: number): void {
    const waiter = this.waiters.get(waiterId);
    if (!waiter) return;
    this.waiters.delete(waiterId);
    const queue = this.queues.get(waiter.name)?.filter((id) => id !== waiterId) ?? [];
    if (queue.length > 0) this.queues.set(waiter.name, queue);
    else this.queues.delete(waiter.name);
  }

  private pushFeed(item: FeedItem): void {
    this.feed.push({
      type: item.type,
      name: item.name,
      owner: item.owner,
      fencingToken: item.fencingToken,
      index: item.index,
      atMs: item.atMs,
    });
    if (this.feed.length > FEED_LENGTH) this.feed.splice(0, this.feed.length - FEED_LENGTH);
  }

  private statsOf(name: string, update: (stats: LockStats) => void): void {
    let stats = this.stats.get(name);
    if (!stats) {
      if (this.stats.size >= MAX_STATS) this.pruneStats();
      stats = {
        name,
        grants: 0,
        holds: 0,
        holdMsTotal: 0,
        holdMsMax: 0,
        waits: 0,
        waitMsTotal: 0,
        waitMsMax: 0,
      };
      this.stats.set(name, stats);
    }
    update(stats);
  }

  private pruneStats(): void {
    const keep = this.busiest(STATS_KEPT_ON_PRUNE);
    this.stats.clear();
    for (const stats of keep) this.stats.set(stats.name, stats);
  }

  /** The most recent changes, newest first. */
  recent(limit: number): FeedItem[] {
    return this.feed.slice(-limit).reverse();
  }

  /** The locks granted most often (then waited for longest). */
  busiest(limit: number): LockStats[] {
    return [...this.stats.values()]
      .sort((a, b) => b.grants - a.grants || b.waitMsTotal - a.waitMsTotal || a.name.localeCompare(b.name))
      .slice(0, limit);
  }

  /** The busiest locks with their holder and queue length now, for `latchkey top`. */
  busy(limit: number): BusyLock[] {
    return this.busiest(limit).map((stats) => {
      const held = this.held.get(stats.name);
      return {
        ...stats,
        owner: held?.owner ?? null,
        fencingToken: held?.fencingToken ?? null,
        grantedAtMs: held?.grantedAtMs ?? null,
        waiting: this.queues.get(stats.name)?.length ?? 0,
      };
    });
  }

  /** One page of held locks in name order, optionally only names containing `filter`. */
  page(offset: number, limit: number, filter: string): { total: number; locks: HeldLockView[] } {
    this.sortedNames ??= [...this.held.keys()].sort();
    const names = filter ? this.sortedNames.filter((n) => n.includes(filter)) : this.sortedNames;
    const locks = names.slice(offset, offset + limit).map((n) => ({
      ...this.held.get(n)!,
      waiters: (this.queues.get(n) ?? []).map((id) => {
        const { waiterId, clientId, queuedAtMs, deadlineMs } = this.waiters.get(id)!;
        return { waiterId, clientId, queuedAtMs, deadlineMs };
      }),
    }));
    return { total: names.length, locks };
  }
}

function sessionChange(outcome: LockOutcome): number {
  if (outcome.type === 'sessionOpened') return 1;
  if (outcome.type === 'sessionClosed') return -1;
  return 0;
}

function recordHold(stats: LockStats, holdMs: number): void {
  stats.holds++;
  stats.holdMsTotal += holdMs;
  stats.holdMsMax = Math.max(stats.holdMsMax, holdMs);
}

function recordWait(stats: LockStats, waitMs: number): void {
  stats.waits++;
  stats.waitMsTotal += waitMs;
  stats.waitMsMax = Math.max(stats.waitMsMax, waitMs);
}
