import { LockClient, LockClientError } from '@app/lock-client';
import type { LockSession, SessionLock } from '@app/lock-client';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { forkLockName, forkOrder, mayEat } from './fork-names';
import type { MealCounts, PhilosopherMessage, SeatConfig, TableMessage } from './ipc-messages';

/** Pause after a failed request before trying again (the cluster may be electing a leader). */
const RETRY_PAUSE_MS = 200;

interface HeldFork {
  fork: number;
  lock: SessionLock;
  grantedAt: number;
}

/**
 * One philosopher, in its own process: a Latchkey client with its own clientId and
 * session. It thinks, waits until the fairness rule lets it eat, takes its two forks
 * (locks, in one global order, each with a waiting preempt), eats, and puts them back.
 * The table (its parent process) hands out the meal counts and stamps each meal.
 */
export class Philosopher {
  private counts: MealCounts;
  private stopping = false;
  private eating = false;
  private session: LockSession | null = null;
  private readonly client: LockClient;
  private nextSeq = 1;
  private readonly replies = new Map<number, () => void>();
  private wake: (() => void) | null = null;
  private readonly stopped: Promise<void>;
  private markStopped: () => void = () => undefined;

  constructor(
    private readonly config: SeatConfig,
    /** to the table; the process's IPC channel, or a test's recorder */
    private readonly send: (message: PhilosopherMessage) => void = toTable,
  ) {
    this.counts = {
      meals: new Array<number>(config.philosophers).fill(0),
      seated: new Array<boolean>(config.philosophers).fill(true),
    };
    this.client = new LockClient({ nodes: config.nodes, clientId: randomUUID() });
    this.stopped = new Promise<void>((resolve) => (this.markStopped = resolve));
  }

  async sitDown(): Promise<void> {
    await this.openSession();
    this.send({ type: 'ready', clientId: this.client.clientId, node: this.client.currentNode });
  }

  onMessage(message: TableMessage): void {
    if (message.type === 'counts') this.updateCounts(message);
    if (message.type === 'reply') {
      this.updateCounts(message.counts);
      this.replies.get(message.seq)?.();
      this.replies.delete(message.seq);
    }
    if (message.type === 'stop') this.stop();
  }

  /** Think, wait for the fairness rule, take the forks, eat, put them back; until stopped. */
  async dine(): Promise<void> {
    while (!this.stopping) {
      await this.pause(this.config.thinkMs * (0.5 + Math.random()));
      while (!this.stopping && !mayEat(this.config.index, this.counts.meals, this.counts.seated)) {
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
      if (this.stopping) break;
      const held = await this.takeForks();
      if (held.length === 2) await this.eat(held);
      await this.putBack(held);
    }
  }

  async leave(): Promise<void> {
    await this.session?.close().catch(() => undefined);
    await this.client.close();
  }

  private stop(): void {
    this.stopping = true;
    this.markStopped();
    this.wakeUp();
    // Closing the session takes this philosopher out of any fork queue it waits in; a
    // philosopher in the middle of a meal finishes it first.
    if (!this.eating) void this.session?.close().catch(() => undefined);
  }

  private updateCounts(counts: MealCounts): void {
    this.counts = counts;
    this.wakeUp();
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private async pause(ms: number): Promise<void> {
    if (ms <= 0) return;
    await Promise.race([sleep(ms), this.stopped]);
  }

  private async openSession(): Promise<LockSession> {
    const session = await this.client.openSession({
      ttlMs: this.config.sessionTtlMs,
      onLost: (reason) => this.send({ type: 'trouble', message: `session lost: ${reason}` }),
    });
    this.session = session;
    return session;
  }

  /** Both forks, in the global order; fewer than two when a wait ran out or the dinner ends. */
  private async takeForks(): Promise<HeldFork[]> {
    const held: HeldFork[] = [];
    const order = forkOrder(this.config.index, this.config.philosophers);
    const session = this.session?.state === 'open' ? this.session : await this.reopen();
    if (session === null) return held;
    for (const fork of order) {
      const askedAt = performance.now();
      try {
        const lock = await session.lock(forkLockName(this.config.runId, fork), {
          waitMs: this.config.forkWaitMs,
        });
        const grantedAt = performance.now();
        held.push({ fork, lock, grantedAt });
        this.send({ type: 'took', fork, fencingToken: lock.fencingToken, waitMs: grantedAt - askedAt });
      } catch (err: unknown) {
        if (!this.stopping) await this.complain(`fork ${fork}`, err);
        break;
      }
    }
    return held;
  }

  private async reopen(): Promise<LockSession | null> {
    try {
      return await this.openSession();
    } catch (err: unknown) {
      await this.complain('a new session', err);
      return null;
    }
  }

  /**
   * The table stamps the start when it hears of it (after both grants) and the end before
   * the forks go back (the philosopher waits for its reply), so every interval it records
   * lies inside the holds of both forks.
   */
  private async eat(held: HeldFork[]): Promise<void> {
    const forks = held.map((h) => ({ fork: h.fork, fencingToken: h.lock.fencingToken, waitMs: 0 }));
    this.eating = true;
    try {
      this.send({ type: 'start', forks, node: this.client.currentNode });
      await sleep(this.config.eatMs);
      await this.ask({ type: 'end', seq: 0 });
    } finally {
      this.eating = false;
    }
  }

  /** Releases every held fork, retrying while the cluster cannot answer (a failover). */
  private async putBack(held: HeldFork[]): Promise<void> {
    await Promise.all(
      held.map(async ({ fork, lock, grantedAt }) => {
        for (;;) {
          try {
            await lock.release();
            this.send({ type: 'released', fork, holdMs: performance.now() - grantedAt });
            return;
          } catch (err: unknown) {
            const final = err instanceof LockClientError && err.code !== 'unavailable';
            await this.complain(`releasing fork ${fork}`, err);
            if (final || this.session?.state !== 'open') return;
          }
        }
      }),
    );
    if (this.stopping) await this.session?.close().catch(() => undefined);
  }

  private ask(message: Extract<PhilosopherMessage, { seq: number }>): Promise<void> {
    const seq = this.nextSeq++;
    return new Promise((resolve) => {
      this.replies.set(seq, resolve);
      this.send({ ...message, seq });
    });
  }

  /** A wait that ran out is normal (try again later); anything else is reported to the table. */
  private async complain(what: string, err: unknown): Promise<void> {
    const timedOut = err instanceof LockClientError && err.code === 'lock_held';
    if (!timedOut)
      this.send({ type: 'trouble', message: `${what}: ${err instanceof Error ? err.message : String(err)}` });
    await sleep(RETRY_PAUSE_MS);
  }
}

function toTable(message: PhilosopherMessage): void {
  if (process.connected) process.send!(message);
}

/** The entry of a philosopher process: the table sends its seat, then "go", then "stop". */
export function runPhilosopher(): void {
  // Ctrl-C reaches the whole process group: the table decides when the philosophers leave.
  process.on('SIGINT', () => undefined);
  let philosopher: Philosopher | null = null;
  let dinner: Promise<void> | null = null;
  process.on('disconnect', () => {
    // The table is gone: leave at once (the session ends with the connection's keepalives).
    void (philosopher?.leave() ?? Promise.resolve()).finally(() => process.exit(0));
  });
  process.on('message', (message: TableMessage) => {
    if (message.type === 'seat') {
      philosopher = new Philosopher(message.config);
      philosopher.sitDown().catch((err: unknown) => fail(err));
    } else if (message.type === 'go' && philosopher !== null && dinner === null) {
      const seated = philosopher;
      dinner = seated
        .dine()
        .then(() => seated.leave())
        .then(() => process.exit(0), fail);
    } else {
      philosopher?.onMessage(message);
    }
  });
}

function fail(err: unknown): void {
  toTable({
    type: 'trouble',
    message: `philosopher failed: ${err instanceof Error ? err.message : String(err)}`,
  });
  process.exit(3);
}
