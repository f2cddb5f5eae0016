import { randomInt } from 'node:crypto';
import { isClientId, MessagePatterns, parseHostPort } from '@app/protocol';
import type {
  CheckLockResponse,
  CloseSessionResponse,
  ClusterStatus,
  KeepAliveResponse,
  LockActivityResponse,
  LockSummary,
  LockWatchEvent,
  MessagePattern,
  OpenSessionResponse,
  PreemptLockResponse,
  ReleaseLockResponse,
} from '@app/protocol';
import { setTimeout as sleep } from 'node:timers/promises';
import { firstValueFrom, Observable, timeout, TimeoutError } from 'rxjs';
import type { Subscription } from 'rxjs';
import type { AttemptOutcome } from './attempt-outcome';
import { classifyFailure } from './classify-failure';
import { LockClientError } from './lock-client-error';
import { DEFAULT_REQUEST_TIMEOUT_MS } from './lock-client-options';
import type { LockClientOptions } from './lock-client-options';
import { LockSession } from './lock-session';
import type { SessionTransport } from './lock-session';
import { NodeConnections } from './node-connections';
import { NodeRing, normalizeAddress } from './node-ring';
import { QuietTcpClient } from './quiet-tcp-client';
import {
  checkCheckOptions,
  checkPreemptOptions,
  checkReleaseOptions,
  checkTtlMs,
  requireLockName,
  requireSessionId,
} from './request-options';
import type { CheckOptions, OpenSessionOptions, PreemptOptions, ReleaseOptions } from './request-options';

/** Every node is tried at most this many times per request (leader hints included). */
const CYCLES_PER_REQUEST = 2;
/** Pause between full cycles, so a cluster in the middle of an election can settle. */
const BACKOFF_MIN_MS = 100;
const BACKOFF_JITTER_MS = 200;

/** One attempt's payload and how long that attempt may take. */
interface AttemptPlan {
  payload: object;
  timeoutMs: number;
}

/**
 * SDK of the lock service over the Nest TCP transport, with failover across nodes.
 * Refusals (`acquired: false`, `released: false`) are answers; failures throw LockClientError.
 */
export class LockClient {
  readonly clientId: string;
  private readonly requestTimeoutMs: number;
  private readonly ring: NodeRing;
  private readonly connections: NodeConnections;
  /** False for a client made by withClientId: the connections belong to its parent. */
  private readonly ownsConnections: boolean;
  private readonly sessions = new Set<LockSession>();
  /** The dedicated connections of live watch streams. */
  private readonly watchConnections = new Set<QuietTcpClient>();
  private closed = false;

  constructor(options: LockClientOptions, sharedConnections?: NodeConnections) {
    this.connections = sharedConnections ?? new NodeConnections();
    this.ownsConnections = sharedConnections === undefined;
    this.ring = new NodeRing(validateNodes(options.nodes));
    if (!isClientId(options.clientId)) {
      throw new Error(`clientId must be a UUID, got ${JSON.stringify(options.clientId)}`);
    }
    this.clientId = options.clientId;
    this.requestTimeoutMs = validateTimeout(options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
  }

  /** The node the next request goes to first. */
  get currentNode(): string {
    return this.ring.current;
  }

  /**
   * Takes the lock `name`, or answers who holds it (`acquired: false`). With `waitMs` the
   * preempt waits in the lock's FIFO queue on the server, so the call may take up to
   * waitMs plus the request timeout. A retry on another node (after a node failed) waits
   * only for what is left of waitMs. Every attempt carries the same requestId, so the
   * cluster applies a retried request once and answers it the same, and a client's
   * retried wait keeps its place in the queue instead of queueing twice.
   */
  async preempt(name: string, options?: PreemptOptions): Promise<PreemptLockResponse> {
    requireLockName(name);
    const checked = checkPreemptOptions(options);
    const base = { name, clientId: this.clientId, ...checked, requestId: newRequestId() };
    if (checked.waitMs === undefined || checked.waitMs === 0)
      return this.request(MessagePatterns.preempt, base);
    const waitUntil = performance.now() + checked.waitMs;
    return this.request(MessagePatterns.preempt, () => {
      const waitMs = Math.max(0, Math.round(waitUntil - performance.now()));
      return { payload: { ...base, waitMs }, timeoutMs: this.requestTimeoutMs + waitMs };
    });
  }

  /** Gives the lock back; a lock taken with a session needs that session's id. */
  async release(name: string, options?: ReleaseOptions): Promise<ReleaseLockResponse> {
    requireLockName(name);
    return this.request(MessagePatterns.release, {
      name,
      clientId: this.clientId,
      ...checkReleaseOptions(options),
      requestId: newRequestId(),
    });
  }

  /**
   * Who holds `name`, from the answering node's applied state (it may lag the leader a little;
   * `appliedIndex` says how far). `consistency: 'linearizable'` has the leader confirm it still
   * leads first (ReadIndex), so the answer is never stale; `minIndex` waits until the node has
   * applied that index (read your own write on another node).
   */
  async check(name: string, options: CheckOptions = {}): Promise<CheckLockResponse> {
    requireLockName(name);
    return this.request(MessagePatterns.check, { name, ...checkCheckOptions(options) });
  }

  /**
   * The same cluster under another client identity, over this client's connections: for
   * programs that act for many owners (a benchmark, a gateway) without one connection each.
   * Closing the returned client ends its sessions; the connections close with this one.
   */
  withClientId(clientId: string): LockClient {
    return new LockClient(
      { nodes: this.ring.inTryOrder(), clientId, requestTimeoutMs: this.requestTimeoutMs },
      this.connections,
    );
  }

  async list(prefix?: string): Promise<LockSummary[]> {
    return this.request(MessagePatterns.list, { prefix });
  }

  async clusterStatus(): Promise<ClusterStatus> {
    return this.request(MessagePatterns.clusterStatus, {});
  }

  /** The busiest locks (by grants) with their holders and queues, as the answering node applied them. */
  async lockActivity(limit?: number): Promise<LockActivityResponse> {
    return this.request(MessagePatterns.lockActivity, limit === undefined ? {} : { limit });
  }

  /**
   * Opens a session and keeps it alive (a keepalive every ttlMs/3) until it is closed or
   * lost. Close it when done: while open its timer keeps the process alive. Closing the
   * LockClient stops the keepalives of its sessions (they then expire after their TTL).
   */
  async openSession(options: OpenSessionOptions = {}): Promise<LockSession> {
    const ttlMs = checkTtlMs(options.ttlMs);
    if (options.onLost !== undefined && typeof options.onLost !== 'function') {
      throw new LockClientError('bad_request', 'onLost must be a function');
    }
    const sentAt = performance.now();
    const opened = await this.request<OpenSessionResponse>(MessagePatterns.openSession, {
      clientId: this.clientId,
      ...(ttlMs === undefined ? {} : { ttlMs }),
    });
    const session = new LockSession(this.sessionTransport(), opened, sentAt, options.onLost);
    this.sessions.add(session);
    if (this.closed) session.abandon('the LockClient was closed');
    return session;
  }

  /** One keepalive of a session (LockSession sends them on its own). Throws not_found when the session has ended. */
  async keepAlive(sessionId: string): Promise<KeepAliveResponse> {
    requireSessionId(sessionId);
    return this.request(MessagePatterns.keepAlive, { sessionId });
  }

  /** Closes a session by id, releasing its locks. Throws not_found when it has already ended. */
  async closeSession(sessionId: string): Promise<CloseSessionResponse> {
    requireSessionId(sessionId);
    return this.request(MessagePatterns.closeSession, { sessionId });
  }

  /**
   * Streams the changes to the lock `name` (granted, released, expired) as the serving node
   * applies them; nothing is replayed, so check() for the state at the start. Each
   * subscription opens its own connection to the first node that accepts one; unsubscribing
   * closes it. The stream never completes on its own. It errors with LockClientError
   * `unavailable` when no node accepts the connection or the serving node goes away (the
   * events of the gap are not replayed: subscribe again, and check(), to resume; the SDK does
   * not resubscribe by itself), and with `bad_request` for an invalid name.
   */
  watch(name: string): Observable<LockWatchEvent> {
    return new Observable<LockWatchEvent>((subscriber) => {
      let cancelled = false;
      let connection: QuietTcpClient | null = null;
      let events: Subscription | null = null;
      const start = async (): Promise<void> => {
        requireLockName(name);
        const connected = await this.connectForWatch(() => cancelled);
        if (connected === null) return;
        connection = connected.connection;
        events = connection.send<LockWatchEvent>(MessagePatterns.watch, { name }).subscribe({
          next: (event) => subscriber.next(event),
          error: (err: unknown) => subscriber.error(this.watchError(err, name, connected.address)),
          complete: () => subscriber.complete(),
        });
      };
      start().catch((err: unknown) => subscriber.error(err));
      return () => {
        cancelled = true;
        events?.unsubscribe();
        if (connection !== null) this.dropWatchConnection(connection);
      };
    });
  }

  /**
   * `watch(name)` as an async iterable: `for await (const event of client.watchAsync(name))`.
   * Leaving the loop (break, return, throw) closes the stream; its errors are thrown by the loop.
   */
  async *watchAsync(name: string): AsyncIterable<LockWatchEvent> {
    const buffered: LockWatchEvent[] = [];
    let ended: { error: Error | undefined } | null = null;
    let wake: (() => void) | null = null;
    const notify = () => {
      wake?.();
      wake = null;
    };
    const subscription = this.watch(name).subscribe({
      next: (event) => {
        buffered.push(event);
        notify();
      },
      error: (error: unknown) => {
        ended = { error: error instanceof Error ? error : new Error(String(error)) };
        notify();
      },
      complete: () => {
        ended = { error: undefined };
        notify();
      },
    });
    try {
      for (;;) {
        const event = buffered.shift();
        if (event !== undefined) {
          yield event;
          continue;
        }
        if (ended !== null) {
          const { error } = ended as { error: Error | undefined };
          if (error !== undefined) throw error;
          return;
        }
        await new Promise<void>((resolve) => (wake = resolve));
      }
    } finally {
      subscription.unsubscribe();
    }
  }

  /**
   * Closes every connection and stops the keepalives of open sessions (they emit 'lost' and
   * expire on the cluster after their TTL; close them first to release their locks at once).
   * Requests in flight and watch streams fail with `unavailable`; later requests are refused.
   */
  close(): Promise<void> {
    this.closed = true;
    for (const session of [...this.sessions]) session.abandon('the LockClient was closed');
    for (const connection of [...this.watchConnections]) this.dropWatchConnection(connection);
    if (this.ownsConnections) this.connections.closeAll();
    return Promise.resolve();
  }

  private sessionTransport(): SessionTransport {
    return {
      clientId: this.clientId,
      preempt: (name, options) => this.preempt(name, options),
      release: (name, options) => this.release(name, options),
      keepAlive: (sessionId, deadline) => this.request(MessagePatterns.keepAlive, { sessionId }, deadline),
      closeSession: (sessionId) => this.closeSession(sessionId),
      forget: (session) => this.sessions.delete(session),
    };
  }

  /**
   * Sends to the current node, failing over until a node answers or the budget is spent:
   * two turns over the nodes, and no attempt after `deadline` (a performance.now() time).
   */
  private async request<T>(
    pattern: MessagePattern,
    plan: object | (() => AttemptPlan),
    deadline?: number,
  ): Promise<T> {
    const failures = new Map<string, string>();
    const nextAttempt =
      typeof plan === 'function'
        ? (plan as () => AttemptPlan)
        : () => ({ payload: plan, timeoutMs: this.requestTimeoutMs });
    const left = () => (deadline === undefined ? Infinity : deadline - performance.now());
    let sinceBackoff = 0;
    // The budget is re-read each turn: a leader hint may have grown the ring.
    for (let attempt = 0; attempt < CYCLES_PER_REQUEST * this.ring.size; attempt++) {
      if (sinceBackoff >= this.ring.size) {
        await sleep(Math.min(BACKOFF_MIN_MS + Math.random() * BACKOFF_JITTER_MS, Math.max(0, left())));
        sinceBackoff = 0;
      }
      // Checked each turn: a retry after close() would open a connection nobody closes.
      if (this.closed) throw new LockClientError('unavailable', 'the LockClient is closed');
      if (left() <= 0) {
        throw new LockClientError('unavailable', `${describeFailures(pattern, failures)}; out of time`);
      }
      const address = this.ring.current;
      const { payload, timeoutMs } = nextAttempt();
      const outcome = await this.attempt<T>(
        address,
        pattern,
        payload,
        Math.max(1, Math.min(timeoutMs, left())),
      );
      switch (outcome.kind) {
        case 'answered':
          return outcome.value;
        case 'rejected':
          throw outcome.error;
        case 'redirected':
          this.ring.pointTo(outcome.leader);
          break;
        case 'node-failed':
          this.ring.advance();
          break;
      }
      failures.set(address, outcome.reason);
      sinceBackoff++;
    }
    throw new LockClientError('unavailable', describeFailures(pattern, failures));
  }

  private async attempt<T>(
    address: string,
    pattern: MessagePattern,
    payload: object,
    timeoutMs: number,
  ): Promise<AttemptOutcome<T>> {
    const proxy = this.connections.get(address);
    try {
      const value = await firstValueFrom(proxy.send<T>(pattern, payload).pipe(timeout(timeoutMs)));
      return { kind: 'answered', value };
    } catch (err: unknown) {
      const outcome = classifyFailure(err, timeoutMs);
      if (outcome === null) throw err;
      if (outcome.kind === 'node-failed' && outcome.connectionBroken) this.connections.discard(address);
      return outcome;
    }
  }

  /**
   * A connection of its own for one watch stream, to the first node (current one first)
   * that accepts it within the request timeout: a request timing out on the shared
   * connection must not end the stream, and closing it is how a stream ends. Null when
   * the subscriber left meanwhile.
   */
  private async connectForWatch(
    cancelled: () => boolean,
  ): Promise<{ connection: QuietTcpClient; address: string } | null> {
    const failures = new Map<string, string>();
    for (const address of this.ring.inTryOrder()) {
      if (this.closed) throw new LockClientError('unavailable', 'the LockClient is closed');
      if (cancelled()) return null;
      const connection = new QuietTcpClient(parseHostPort(address)!);
      this.watchConnections.add(connection);
      try {
        await connectWithin(connection, this.requestTimeoutMs);
      } catch (err: unknown) {
        this.dropWatchConnection(connection);
        const outcome = classifyFailure(err, this.requestTimeoutMs);
        if (outcome === null) throw err;
        if (outcome.kind === 'rejected') throw outcome.error;
        failures.set(address, outcome.reason);
        continue;
      }
      if (cancelled() || this.closed) {
        this.dropWatchConnection(connection);
        if (this.closed) throw new LockClientError('unavailable', 'the LockClient is closed');
        return null;
      }
      return { connection, address };
    }
    throw new LockClientError('unavailable', describeFailures(MessagePatterns.watch, failures));
  }

  private dropWatchConnection(connection: QuietTcpClient): void {
    this.watchConnections.delete(connection);
    connection.close();
  }

  private watchError(err: unknown, name: string, address: string): unknown {
    if (this.closed) return new LockClientError('unavailable', 'the LockClient is closed');
    const outcome = classifyFailure(err, this.requestTimeoutMs);
    if (outcome === null) return err;
    if (outcome.kind === 'rejected') return outcome.error;
    return new LockClientError(
      'unavailable',
      `the watch of ${name} on ${address} ended (${outcome.reason}); subscribe again to resume`,
    );
  }
}

/** Connects, or fails with a TimeoutError (as a request would) after `timeoutMs`. */
async function connectWithin(connection: QuietTcpClient, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError()), timeoutMs);
  });
  try {
    await Promise.race([connection.connect(), expired]);
  } finally {
    clearTimeout(timer);
  }
}

function validateNodes(nodes: readonly string[]): string[] {
  // A JavaScript caller may pass anything; check a copy so `nodes` keeps its type below.
  const given: unknown = nodes;
  if (!Array.isArray(given) || nodes.length === 0) {
    throw new Error('LockClient needs at least one node address ("host:port")');
  }
  return nodes.map((node) => {
    const address = normalizeAddress(node);
    if (address === null)
      throw new Error(`invalid node address ${JSON.stringify(node)}, expected "host:port"`);
    return address;
  });
}

function validateTimeout(ms: number): number {
  if (!Number.isFinite(ms) || ms <= 0)
    throw new Error(`requestTimeoutMs must be a positive number, got ${ms}`);
  return ms;
}

function describeFailures(pattern: string, failures: ReadonlyMap<string, string>): string {
  const tried = [...failures].map(([address, reason]) => `${address} (${reason})`).join(', ');
  return `no node could serve ${pattern}; tried ${tried || 'none'}`;
}

/**
 * Request ids only need to differ between a client's requests; random ones stay unique
 * across processes that share a clientId (the CLI's id is the same on every run).
 */
function newRequestId(): number {
  return randomInt(1, 2 ** 48);
}
