import { Controller, Inject, Module } from '@nestjs/common';
import type { INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, Payload, RpcException, Transport } from '@nestjs/microservices';
import { DEFAULT_SESSION_TTL_MS, MessagePatterns } from '@app/protocol';
import type {
  CloseSessionResponse,
  KeepAliveResponse,
  LockWatchEvent,
  MessagePattern as Pattern,
  OpenSessionResponse,
  PreemptLockRequest,
  PreemptLockResponse,
  ReleaseLockRequest,
  ReleaseLockResponse,
  RpcErrorBody,
} from '@app/protocol';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { filter, Subject } from 'rxjs';

/**
 * Decides the answer to one request; may throw an RpcException, return a Promise, or return
 * an Observable: the transport sends one response per value (a watch stream) until it completes.
 */
export type FakeHandler = (pattern: Pattern, payload: unknown) => unknown;

export interface FakeCall {
  pattern: Pattern;
  payload: unknown;
}

/** An in-process Nest TCP microservice that answers the lock patterns with canned replies. */
export interface FakeLockNode {
  address: string;
  calls: FakeCall[];
  /** Replaced by tests to change how the node answers. */
  handler: FakeHandler;
  /** TCP connections the node has open right now (a watch stream has one of its own). */
  openConnections(): Promise<number>;
  close(): Promise<void>;
}

const NODE = Symbol('FakeLockNode');

@Controller()
class FakeLockController {
  constructor(@Inject(NODE) private readonly node: FakeLockNode) {}

  @MessagePattern(MessagePatterns.preempt)
  preempt(@Payload() payload: unknown): unknown {
    return this.answer(MessagePatterns.preempt, payload);
  }

  @MessagePattern(MessagePatterns.release)
  release(@Payload() payload: unknown): unknown {
    return this.answer(MessagePatterns.release, payload);
  }

  @MessagePattern(MessagePatterns.check)
  check(@Payload() payload: unknown): unknown {
    return this.answer(MessagePatterns.check, payload);
  }

  @MessagePattern(MessagePatterns.list)
  list(@Payload() payload: unknown): unknown {
    return this.answer(MessagePatterns.list, payload);
  }

  @MessagePattern(MessagePatterns.watch)
  watch(@Payload() payload: unknown): unknown {
    return this.answer(MessagePatterns.watch, payload);
  }

  @MessagePattern(MessagePatterns.forwardBatch)
  forwardBatch(@Payload() payload: unknown): unknown {
    return this.answer(MessagePatterns.forwardBatch, payload);
  }

  @MessagePattern(MessagePatterns.openSession)
  openSession(@Payload() payload: unknown): unknown {
    return this.answer(MessagePatterns.openSession, payload);
  }

  @MessagePattern(MessagePatterns.keepAlive)
  keepAlive(@Payload() payload: unknown): unknown {
    return this.answer(MessagePatterns.keepAlive, payload);
  }

  @MessagePattern(MessagePatterns.closeSession)
  closeSession(@Payload() payload: unknown): unknown {
    return this.answer(MessagePatterns.closeSession, payload);
  }

  @MessagePattern(MessagePatterns.clusterStatus)
  clusterStatus(@Payload() payload: unknown): unknown {
    return this.answer(MessagePatterns.clusterStatus, payload);
  }

  private answer(pattern: Pattern, payload: unknown): unknown {
    this.node.calls.push({ pattern, payload });
    return this.node.handler(pattern, payload);
  }
}

/** A loopback port nothing listens on at the moment of the call. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP port assigned');
  return address.port;
}

/** Starts a fake node on `port` (a fresh free one by default). */
export async function startFakeLockNode(handler: FakeHandler, port?: number): Promise<FakeLockNode> {
  port ??= await freePort();
  let closing: Promise<void> | undefined;
  const node: FakeLockNode = {
    address: `127.0.0.1:${port}`,
    calls: [],
    handler,
    openConnections: () =>
      new Promise<number>((resolve, reject) =>
        app.unwrap<Server>().getConnections((err, count) => (err ? reject(err) : resolve(count))),
      ),
    close: async () => {
      // Idempotent: a spec may kill a node that its cleanup closes again.
      closing ??= app.close();
      await closing;
    },
  };

  @Module({ controllers: [FakeLockController], providers: [{ provide: NODE, useValue: node }] })
  class FakeLockModule {}

  // The node's closures run only after this resolves, once `app` exists.
  const app: INestMicroservice = await NestFactory.createMicroservice(FakeLockModule, {
    transport: Transport.TCP,
    options: { host: '127.0.0.1', port },
    logger: false,
  });
  await app.listen();
  return node;
}

/** How many requests of `pattern` the node has received. */
export function countCalls(node: FakeLockNode, pattern: Pattern): number {
  return node.calls.filter((call) => call.pattern === pattern).length;
}

interface FakeSession {
  clientId: string;
  ttlMs: number;
  keepAlives: number;
}

interface FakeLock {
  owner: string;
  sessionId: string | null;
  fencingToken: number;
}

/**
 * A small in-memory lock service with sessions, for the session and watch specs. It never
 * expires anything by itself: a spec ends a session with `expire()`. `grantedTtlMs` lets a
 * spec shorten the TTL the "cluster" grants below the protocol minimum a client may ask
 * for, so keepalive timing plays out in milliseconds.
 */
export class FakeLockService {
  readonly sessions = new Map<string, FakeSession>();
  readonly locks = new Map<string, FakeLock>();
  /** Every applied change, as a watch stream would report it. */
  readonly changes = new Subject<LockWatchEvent>();
  grantedTtlMs: number | null = null;
  private index = 0;

  readonly handler: FakeHandler = (pattern, payload) => {
    const body = payload as Record<string, unknown>;
    switch (pattern) {
      case MessagePatterns.openSession:
        return this.open(
          body.clientId as string,
          (body.ttlMs as number | undefined) ?? DEFAULT_SESSION_TTL_MS,
        );
      case MessagePatterns.keepAlive:
        return this.keepAlive(body.sessionId as string);
      case MessagePatterns.closeSession:
        return this.close(body.sessionId as string);
      case MessagePatterns.preempt:
        return this.preempt(body as unknown as PreemptLockRequest);
      case MessagePatterns.release:
        return this.release(body as unknown as ReleaseLockRequest);
      case MessagePatterns.watch:
        return this.changes.pipe(filter((event) => event.name === body.name));
      default:
        throw new RpcException({
          code: 'bad_request',
          message: `the fake does not serve ${pattern}`,
        } satisfies RpcErrorBody);
    }
  };

  keepAlivesOf(sessionId: string): number {
    return this.sessions.get(sessionId)?.keepAlives ?? 0;
  }

  /** Ends a session the way the leader's expiry would: its locks go, with `expired` events. */
  expire(sessionId: string): void {
    this.sessions.delete(sessionId);
    for (const [name, lock] of this.locks) {
      if (lock.sessionId !== sessionId) continue;
      this.locks.delete(name);
      this.changes.next({
        type: 'expired',
        name,
        owner: lock.owner,
        fencingToken: lock.fencingToken,
        index: ++this.index,
      });
    }
  }

  private open(clientId: string, ttlMs: number): OpenSessionResponse {
    const sessionId = randomBytes(16).toString('hex');
    const granted = this.grantedTtlMs ?? ttlMs;
    this.sessions.set(sessionId, { clientId, ttlMs: granted, keepAlives: 0 });
    return { sessionId, clientId, ttlMs: granted };
  }

  private keepAlive(sessionId: string): KeepAliveResponse {
    const session = this.requireSession(sessionId);
    session.keepAlives++;
    return { sessionId, ttlMs: session.ttlMs };
  }

  private close(sessionId: string): CloseSessionResponse {
    this.requireSession(sessionId);
    this.sessions.delete(sessionId);
    for (const [name, lock] of this.locks) {
      if (lock.sessionId !== sessionId) continue;
      this.locks.delete(name);
      this.changes.next({
        type: 'released',
        name,
        owner: lock.owner,
        fencingToken: lock.fencingToken,
        index: ++this.index,
      });
    }
    return { sessionId, closed: true };
  }

  private preempt(request: PreemptLockRequest): PreemptLockResponse {
    const sessionId = request.sessionId ?? null;
    if (sessionId !== null) this.requireSession(sessionId);
    const held = this.locks.get(request.name);
    if (held && (held.owner !== request.clientId || held.sessionId !== sessionId)) {
      return {
        name: request.name,
        acquired: false,
        owner: held.owner,
        fencingToken: held.fencingToken,
        index: this.index,
      };
    }
    if (held)
      return {
        name: request.name,
        acquired: true,
        owner: held.owner,
        fencingToken: held.fencingToken,
        index: this.index,
      };
    const fencingToken = ++this.index;
    this.locks.set(request.name, { owner: request.clientId, sessionId, fencingToken });
    this.changes.next({
      type: 'granted',
      name: request.name,
      owner: request.clientId,
      fencingToken,
      index: fencingToken,
    });
    return { name: request.name, acquired: true, owner: request.clientId, fencingToken, index: fencingToken };
  }

  private release(request: ReleaseLockRequest): ReleaseLockResponse {
    const held = this.locks.get(request.name);
    if (!held)
      return { name: request.name, released: false, reason: 'not_held', owner: null, index: this.index };
    if (
      held.owner !== request.clientId ||
      (held.sessionId !== null && held.sessionId !== request.sessionId)
    ) {
      return {
        name: request.name,
        released: false,
        reason: 'not_owner',
        owner: held.owner,
        index: this.index,
      };
    }
    this.locks.delete(request.name);
    const index = ++this.index;
    this.changes.next({
      type: 'released',
      name: request.name,
      owner: held.owner,
      fencingToken: held.fencingToken,
      index,
    });
    return { name: request.name, released: true, index };
  }

  private requireSession(sessionId: string): FakeSession {
    const session = this.sessions.get(sessionId);
    if (!session)
      throw new RpcException({
        code: 'not_found',
        message: 'session not found: unknown, closed or expired',
      } satisfies RpcErrorBody);
    return session;
  }
}
