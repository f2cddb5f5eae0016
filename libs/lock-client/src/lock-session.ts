import type {
  CloseSessionResponse,
  KeepAliveResponse,
  OpenSessionResponse,
  PreemptLockResponse,
  ReleaseLockResponse,
} from '@app/protocol';
import { EventEmitter } from 'node:events';
import { LockClientError } from './lock-client-error';
import type { PreemptOptions, ReleaseOptions, SessionLockOptions } from './request-options';
import { requireLockName } from './request-options';

/** `open` until `close()` (then `closed`) or until the session is lost (then `lost`). */
export type LockSessionState = 'open' | 'lost' | 'closed';

/** A lock held by a session, as `LockSession.lock` answers it. */
export interface SessionLock {
  readonly name: string;
  readonly fencingToken: number;
  /**
   * Releases the lock with the session's secret. Resolves at once when the session was
   * closed (closing released it). Throws `lock_lost` when the lock was no longer held
   * by the session (its TTL ran out, the session ended); calling again after success
   * sends nothing.
   */
  release(): Promise<void>;
}

export interface LockSessionEvents {
  /** The session ended without `close()`: the cluster said not_found, or no keepalive succeeded for ttlMs. */
  lost: [reason: string];
}

/**
 * What a LockSession needs from the LockClient that opened it. Internal: the client
 * passes it to the constructor; applications get sessions from `LockClient.openSession`.
 */
export interface SessionTransport {
  readonly clientId: string;
  preempt(name: string, options: PreemptOptions): Promise<PreemptLockResponse>;
  release(name: string, options: ReleaseOptions): Promise<ReleaseLockResponse>;
  /** One keepalive, failing over across nodes, given up at `deadline` (performance.now()). */
  keepAlive(sessionId: string, deadline: number): Promise<KeepAliveResponse>;
  closeSession(sessionId: string): Promise<CloseSessionResponse>;
  /** The session is no longer open: the client stops tracking it. */
  forget(session: LockSession): void;
}

type LostCause = 'not_found' | 'no_keepalive' | 'client_closed';

/**
 * A session of the lock service: locks taken through it are freed when it ends. It sends
 * `sessions.keepalive` every ttlMs/3 on its own; the timer keeps the process alive while
 * the session is open (call `close()`, or close the LockClient, to let the process end).
 *
 * The session is lost, and emits `'lost'` with the reason (and calls `onLost`) once, when a
 * keepalive is answered not_found (the session expired or was closed on the server), or when
 * keepalives kept failing until ttlMs passed since the last successful one (the cluster
 * will expire it, if it has not already). Its locks must then be presumed gone.
 */
export class LockSession extends EventEmitter<LockSessionEvents> {
  readonly sessionId: string;
  readonly clientId: string;
  /** The TTL the cluster granted (the one it enforces). */
  readonly ttlMs: number;
  private currentState: LockSessionState = 'open';
  private lostCause: LostCause | null = null;
  private lostReason: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** performance.now() when the last successful keepalive (or the open) was sent. */
  private lastAliveAt: number;
  /** The last keepalive failed: the next one counts against the same TTL. */
  private failing = false;
  private closing: Promise<void> | null = null;

  /** @internal Use `LockClient.openSession`. `openedAt` is performance.now() when the open was sent. */
  constructor(
    private readonly transport: SessionTransport,
    opened: OpenSessionResponse,
    openedAt: number,
    private readonly onLost?: (reason: string) => void,
  ) {
    super();
    this.sessionId = opened.sessionId;
    this.clientId = opened.clientId;
    this.ttlMs = opened.ttlMs;
    this.lastAliveAt = openedAt;
    this.schedule(this.keepAliveIntervalMs);
  }

  get state(): LockSessionState {
    return this.currentState;
  }

  /** Why the session was lost; null while it is not. */
  get lossReason(): string | null {
    return this.lostReason;
  }

  /** How often a keepalive is sent: a third of the TTL, so two may fail before the session ends. */
  get keepAliveIntervalMs(): number {
    return Math.max(1, Math.floor(this.ttlMs / 3));
  }

  /** The start of the session id, safe to show (the whole id is the secret). */
  get shortId(): string {
    return `${this.sessionId.slice(0, 4)}…`;
  }

  /**
   * Takes the lock `name` for this session, waiting up to `waitMs` in its queue. Throws a
   * LockClientError: `lock_held` naming the holder when not granted, `not_found` when the
   * session is lost or closed, `bad_request` for invalid arguments, `unavailable` when no node answers.
   */
  async lock(name: string, options: SessionLockOptions = {}): Promise<SessionLock> {
    requireLockName(name);
    this.requireOpen();
    const { waitMs, ttlMs } = options;
    let response: PreemptLockResponse;
    try {
      response = await this.transport.preempt(name, { sessionId: this.sessionId, waitMs, ttlMs });
    } catch (err: unknown) {
      if (err instanceof LockClientError && err.code === 'not_found') {
        this.lose('not_found', `the cluster no longer knows session ${this.shortId} (${err.message})`);
      }
      throw err;
    }
    if (response.acquired && response.fencingToken !== null)
      return this.heldLock(name, response.fencingToken);
    // A session that ended while the preempt waited leaves the queue with acquired: false.
    this.requireOpen();
    throw new LockClientError('lock_held', describeRefusal(name, response, waitMs));
  }

  /**
   * Closes the session on the server, which releases its locks, and stops the keepalives.
   * Idempotent: later calls return the first call's promise. A session already unknown to
   * the cluster counts as closed. Closing a lost session never fails. When no node can be
   * reached it rejects with `unavailable`; the keepalives are stopped all the same, so the
   * cluster ends the session (and frees its locks) ttlMs after the last keepalive.
   */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    const wasLost = this.currentState === 'lost';
    const askServer = this.currentState === 'open' || this.lostCause === 'no_keepalive';
    this.stop('closed');
    const request = askServer
      ? this.transport.closeSession(this.sessionId).then(() => undefined)
      : Promise.resolve();
    this.closing = request.catch((err: unknown) => {
      if (wasLost || (err instanceof LockClientError && err.code === 'not_found')) return;
      throw err;
    });
    return this.closing;
  }

  /** @internal The LockClient is closing: no more keepalives, the session will expire. */
  abandon(reason: string): void {
    this.lose('client_closed', reason);
  }

  private heldLock(name: string, fencingToken: number): SessionLock {
    let releasing: Promise<void> | null = null;
    const release = async (): Promise<void> => {
      // Closing the session released the lock (unless someone else holds it by now).
      if (this.currentState === 'closed') return;
      const response = await this.transport.release(name, { sessionId: this.sessionId });
      if (response.released) return;
      const now = response.reason === 'not_owner' ? `it is held by ${response.owner} now` : 'it is free';
      throw new LockClientError(
        'lock_lost',
        `${name} (token ${fencingToken}) was no longer held by session ${this.shortId}: ${now}`,
      );
    };
    return {
      name,
      fencingToken,
      release: () => {
        releasing ??= release().catch((err: unknown) => {
          // A failure to reach the cluster may be retried; an answer is final.
          if (!(err instanceof LockClientError && err.code === 'lock_lost')) releasing = null;
          throw err;
        });
        return releasing;
      },
    };
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => void this.keepAlive(), delayMs);
  }

  private async keepAlive(): Promise<void> {
    this.timer = null;
    const sentAt = performance.now();
    let deadline = this.lastAliveAt + this.ttlMs;
    if (!this.failing && deadline - sentAt < this.keepAliveIntervalMs) {
      // The timer fired late (this process stalled), not because keepalives failed: the
      // leader may still hold the session (it counts from when it heard the last one, and
      // answers not_found once the TTL is over), so this keepalive still gets a fair try.
      deadline = sentAt + this.keepAliveIntervalMs;
    }
    try {
      await this.transport.keepAlive(this.sessionId, deadline);
      if (this.currentState !== 'open') return;
      // The leader renewed the lease when it got the keepalive, which is after sentAt.
      this.lastAliveAt = sentAt;
      this.failing = false;
      this.schedule(this.keepAliveIntervalMs);
    } catch (err: unknown) {
      if (this.currentState !== 'open') return;
      this.failing = true;
      const message = err instanceof Error ? err.message : String(err);
      if (err instanceof LockClientError && err.code === 'not_found') {
        return this.lose('not_found', `the cluster no longer knows session ${this.shortId} (${message})`);
      }
      const left = deadline - performance.now();
      if (left <= 0) {
        return this.lose(
          'no_keepalive',
          `no keepalive of session ${this.shortId} succeeded for ${this.ttlMs} ms; last failure: ${message}`,
        );
      }
      // Try again soon, still within the TTL; the next attempt gives up at the same deadline.
      this.schedule(Math.min(left, Math.max(1, Math.floor(this.ttlMs / 6))));
    }
  }

  private requireOpen(): void {
    if (this.currentState === 'open') return;
    const why = this.currentState === 'closed' ? 'was closed' : `is lost: ${this.lostReason}`;
    throw new LockClientError('not_found', `session ${this.shortId} ${why}`);
  }

  private lose(cause: LostCause, reason: string): void {
    if (this.currentState !== 'open') return;
    this.lostCause = cause;
    this.lostReason = reason;
    this.stop('lost');
    // Listeners run on their own tick: one that throws does not fail the caller's request.
    process.nextTick(() => {
      this.emit('lost', reason);
      this.onLost?.(reason);
    });
  }

  private stop(state: Exclude<LockSessionState, 'open'>): void {
    this.currentState = state;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.transport.forget(this);
  }
}

function describeRefusal(name: string, response: PreemptLockResponse, waitMs: number | undefined): string {
  const waited = waitMs ? ` after waiting up to ${waitMs} ms` : '';
  if (response.owner === null) return `${name} was not granted${waited}`;
  return `${name} is held by ${response.owner} (fencing token ${response.fencingToken}); not granted${waited}`;
}
