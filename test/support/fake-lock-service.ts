import type { LockSummary, LockWatchEvent } from '@app/protocol';
import { randomUUID } from 'node:crypto';
import { filter, Subject, type Observable } from 'rxjs';

// The real error class (the services test `instanceof` it), not the mocked module's.
const { LockClientError } = jest.requireActual<typeof import('@app/lock-client')>('@app/lock-client');
type LockClientError = InstanceType<typeof LockClientError>;

/**
 * A stand-in for the SDK's LockClient (the parts the demo apps use), over one lock
 * table shared by every client in the test process. It keeps the SDK's contract: session
 * locks with waiting preempts in a FIFO queue, fencing tokens that only grow, `close()`
 * frees the session's locks without calling `onLost`, a lost session calls `onLost` once,
 * a refused wait is `lock_held` and a request on an ended session `not_found`. The test
 * drives what a cluster would do on its own: sessions expiring, grants held back.
 */
interface Waiter {
  session: FakeSession;
  grant: (token: number) => void;
  refuse: (err: LockClientError) => void;
  timer: NodeJS.Timeout;
}

interface Holder {
  session: FakeSession;
  token: number;
}

class FakeLockTable {
  readonly events = new Subject<LockWatchEvent>();
  private readonly holders = new Map<string, Holder>();
  private readonly queues = new Map<string, Waiter[]>();
  private readonly blocked = new Set<string>();
  private readonly timedOut = new Map<string, number>();
  private lastToken = 0;

  holderOf(name: string): Holder | undefined {
    return this.holders.get(name);
  }

  /** Sessions waiting in the queue of `name` now. */
  waiting(name: string): number {
    return this.queues.get(name)?.length ?? 0;
  }

  /** Waits for `name` that ran out (answered `lock_held`) so far. */
  timeouts(name: string): number {
    return this.timedOut.get(name) ?? 0;
  }

  list(prefix: string): LockSummary[] {
    return [...this.holders]
      .filter(([name]) => name.startsWith(prefix))
      .map(([name, h]) => ({ name, owner: h.session.clientId, fencingToken: h.token }));
  }

  lock(session: FakeSession, name: string, waitMs: number): Promise<number> {
    if (!this.holders.has(name) && !this.blocked.has(name)) return Promise.resolve(this.grant(session, name));
    return new Promise<number>((grant, refuse) => {
      const queue = this.queues.get(name) ?? [];
      this.queues.set(name, queue);
      const waiter: Waiter = { session, grant, refuse, timer: setTimeout(() => timeOut(), waitMs) };
      const timeOut = () => {
        queue.splice(queue.indexOf(waiter), 1);
        this.timedOut.set(name, this.timeouts(name) + 1);
        refuse(
          new LockClientError('lock_held', `${name} is held; not granted after waiting up to ${waitMs} ms`),
        );
      };
      queue.push(waiter);
    });
  }

  release(session: FakeSession, name: string, type: 'released' | 'expired'): boolean {
    const holder = this.holders.get(name);
    if (holder?.session !== session) return false;
    this.holders.delete(name);
    this.emit(type, name, holder);
    this.grantNext(name);
    return true;
  }

  /** The session ends: its locks are freed (`released` on close, `expired` on loss), its waits refused. */
  endSession(session: FakeSession, type: 'released' | 'expired'): void {
    for (const [name, holder] of [...this.holders])
      if (holder.session === session) this.release(session, name, type);
    for (const queue of this.queues.values()) {
      for (const waiter of queue.filter((w) => w.session === session)) {
        queue.splice(queue.indexOf(waiter), 1);
        clearTimeout(waiter.timer);
        waiter.refuse(new LockClientError('not_found', `session ${session.sessionId} ended while waiting`));
      }
    }
  }

  /** Grants of `name` wait until `unblock`, as if the cluster could not commit them. */
  block(name: string): void {
    this.blocked.add(name);
  }

  unblock(name: string): void {
    this.blocked.delete(name);
    if (!this.holders.has(name)) this.grantNext(name);
  }

  /**
   * The holder's session ends on the cluster's side. With `tellHolder` false its process has
   * not noticed yet (a paused process whose keepalives stopped): it still thinks it holds the lock.
   */
  expireHolder(name: string, tellHolder: boolean): void {
    const holder = this.holders.get(name);
    if (holder === undefined) throw new Error(`nobody holds ${name}`);
    if (tellHolder) holder.session.lose(`session ${holder.session.sessionId} expired`);
    else this.endSession(holder.session, 'expired');
  }

  private grant(session: FakeSession, name: string): number {
    const token = ++this.lastToken;
    const holder = { session, token };
    this.holders.set(name, holder);
    this.emit('granted', name, holder);
    return token;
  }

  private grantNext(name: string): void {
    if (this.blocked.has(name)) return;
    const next = this.queues.get(name)?.shift();
    if (next === undefined) return;
    clearTimeout(next.timer);
    next.grant(this.grant(next.session, name));
  }

  private emit(type: LockWatchEvent['type'], name: string, holder: Holder): void {
    this.events.next({ type, name, owner: holder.session.clientId, fencingToken: holder.token, index: 0 });
  }
}

export const fakeLocks = new FakeLockTable();

export class FakeSession {
  readonly sessionId = randomUUID();
  state: 'open' | 'lost' | 'closed' = 'open';

  constructor(
    readonly clientId: string,
    private readonly onLost?: (reason: string) => void,
  ) {}

  async lock(name: string, options: { waitMs?: number } = {}) {
    this.requireOpen();
    const fencingToken = await fakeLocks.lock(this, name, options.waitMs ?? 0);
    return {
      name,
      fencingToken,
      release: () => {
        if (this.state === 'closed') return Promise.resolve();
        if (fakeLocks.release(this, name, 'released')) return Promise.resolve();
        return Promise.reject(new LockClientError('lock_lost', `${name} was no longer held`));
      },
    };
  }

  close(): Promise<void> {
    if (this.state === 'open') fakeLocks.endSession(this, 'released');
    if (this.state !== 'lost') this.state = 'closed';
    return Promise.resolve();
  }

  lose(reason: string): void {
    if (this.state !== 'open') return;
    this.state = 'lost';
    fakeLocks.endSession(this, 'expired');
    process.nextTick(() => this.onLost?.(reason));
  }

  private requireOpen(): void {
    if (this.state !== 'open')
      throw new LockClientError('not_found', `session ${this.sessionId} is ${this.state}`);
  }
}

export class FakeLockClient {
  readonly clientId: string;
  readonly currentNode: string;
  private readonly sessions = new Set<FakeSession>();

  constructor(options: { nodes: string[]; clientId?: string }) {
    this.clientId = options.clientId ?? randomUUID();
    this.currentNode = options.nodes[0] ?? 'nowhere';
  }

  openSession(options: { ttlMs?: number; onLost?: (reason: string) => void } = {}): Promise<FakeSession> {
    const session = new FakeSession(this.clientId, options.onLost);
    this.sessions.add(session);
    return Promise.resolve(session);
  }

  watch(name: string): Observable<LockWatchEvent> {
    return fakeLocks.events.pipe(filter((event) => event.name === name));
  }

  list(prefix = ''): Promise<LockSummary[]> {
    return Promise.resolve(fakeLocks.list(prefix));
  }

  /** As the SDK's: sessions still open stop their keepalives and are lost. */
  close(): Promise<void> {
    for (const session of this.sessions) session.lose('the client was closed');
    return Promise.resolve();
  }
}
