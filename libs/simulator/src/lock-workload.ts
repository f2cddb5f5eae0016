import type { LockCommand } from '@app/lock-table';
import type { Random } from '@app/replicated-log';
import { pickOne } from './random-choice';
import type { WorkloadMix } from './workload-mix';

/** probability per tick of a burst of proposals */
const BURST_RATE = 0.01;
/** one simulated tick in the clock the entries are stamped with */
export const MS_PER_TICK = 10;
/** a client keeps at most this many sessions open */
const SESSIONS_PER_CLIENT = 2;
/** how many recent requests with a requestId a retry may pick from */
const RETRY_WINDOW = 16;

type Request = Extract<LockCommand, { type: 'preempt' | 'release' }>;

interface ClientSession {
  sessionId: string;
  /** the client sends a keepalive this often; null for a session it abandoned */
  keepAliveEveryTicks: number | null;
  lastKeepAliveTick: number;
}

interface Client {
  clientId: string;
  nextRequestId: number;
  sessionsOpened: number;
  sessions: ClientSession[];
}

/**
 * Simulated clients contending for a few locks with everything the lock table offers:
 * plain, TTL, session and waiting preempts; releases, some by non-owners; sessions opened,
 * kept alive, closed or abandoned to expire; and requests retried with their requestId.
 * Clients learn only what a real client would: whether a keepalive was answered.
 */
export class LockWorkload {
  private readonly clients: Client[];
  private readonly recent: Request[] = [];

  constructor(
    private readonly random: Random,
    clients: number,
    private readonly locks: number,
    /** expected commands per tick; may exceed 1 */
    private readonly rate: number,
    private readonly mix: WorkloadMix,
  ) {
    this.clients = Array.from({ length: clients }, (_, i) => ({
      clientId: `client-${i + 1}`,
      nextRequestId: 1,
      sessionsOpened: 0,
      sessions: [],
    }));
  }

  commandsForTick(tick: number): LockCommand[] {
    const whole = Math.floor(this.rate);
    let count = whole + (this.random.next() < this.rate - whole ? 1 : 0);
    // Now and then a burst, to fill the leader's pipelines past maxEntriesPerMessage and its in-flight cap.
    if (this.random.next() < BURST_RATE) count += this.random.intBetween(8, 48);
    const commands: LockCommand[] = [];
    for (let i = 0; i < count; i++) commands.push(this.randomCommand(tick));
    return commands;
  }

  /** The sessions whose clients send a keepalive this tick. */
  keepAlivesDue(tick: number): string[] {
    const due: string[] = [];
    for (const client of this.clients)
      for (const session of client.sessions)
        if (
          session.keepAliveEveryTicks !== null &&
          tick - session.lastKeepAliveTick >= session.keepAliveEveryTicks
        )
          due.push(session.sessionId);
    return due;
  }

  /** `alive` null: no leader took the keepalive, and the client tries again next tick. */
  onKeepAlive(sessionId: string, tick: number, alive: boolean | null): void {
    for (const client of this.clients) {
      const session = client.sessions.find((s) => s.sessionId === sessionId);
      if (session === undefined || alive === null) continue;
      // A refused keepalive means the session is gone (expired, or its open never committed).
      if (alive) session.lastKeepAliveTick = tick;
      else client.sessions = client.sessions.filter((s) => s !== session);
    }
  }

  private randomCommand(tick: number): LockCommand {
    const client = pickOne(this.random, this.clients);
    const { openRate, closeRate, retryRate } = this.mix;
    const draw = this.random.next();
    if (draw < openRate && client.sessions.length < SESSIONS_PER_CLIENT) return this.open(client, tick);
    if (draw < openRate + closeRate && client.sessions.length > 0) return this.close(client);
    // A retry resends an earlier request unchanged, requestId included (a lost answer).
    if (draw < openRate + closeRate + retryRate && this.recent.length > 0)
      return pickOne(this.random, this.recent);
    const request = this.random.next() < 0.55 ? this.preempt(client) : this.release(client);
    if (request.requestId !== undefined) {
      this.recent.push(request);
      if (this.recent.length > RETRY_WINDOW) this.recent.shift();
    }
    return request;
  }

  private open(client: Client, tick: number): LockCommand {
    const sessionId = `${client.clientId}-s${++client.sessionsOpened}`;
    const ttlMs = this.random.intBetween(...this.mix.sessionTtlMs);
    const abandoned = this.random.next() < this.mix.abandonRate;
    // Three keepalives per TTL, as the SDK sends them.
    const keepAliveEveryTicks = abandoned ? null : Math.max(1, Math.floor(ttlMs / MS_PER_TICK / 3));
    client.sessions.push({ sessionId, keepAliveEveryTicks, lastKeepAliveTick: tick });
    return { type: 'openSession', sessionId, clientId: client.clientId, ttlMs };
  }

  private close(client: Client): LockCommand {
    const session = pickOne(this.random, client.sessions);
    client.sessions = client.sessions.filter((s) => s !== session);
    return { type: 'closeSession', sessionId: session.sessionId };
  }

  private preempt(client: Client): Request {
    const { sessionRate, ttlRate, waitRate } = this.mix;
    const command: Request = { type: 'preempt', name: this.lockName(), clientId: client.clientId };
    if (client.sessions.length > 0 && this.random.next() < sessionRate)
      command.sessionId = pickOne(this.random, client.sessions).sessionId;
    if (this.random.next() < ttlRate) command.ttlMs = this.random.intBetween(...this.mix.lockTtlMs);
    if (this.random.next() < waitRate) command.waitMs = this.random.intBetween(...this.mix.waitMs);
    return this.withRequestId(client, command);
  }

  /** Any client may release any lock: releases by non-owners are part of the mix. */
  private release(client: Client): Request {
    const command: Request = { type: 'release', name: this.lockName(), clientId: client.clientId };
    if (client.sessions.length > 0 && this.random.next() < 0.5)
      command.sessionId = pickOne(this.random, client.sessions).sessionId;
    return this.withRequestId(client, command);
  }

  private withRequestId(client: Client, command: Request): Request {
    if (this.random.next() < this.mix.requestIdRate) command.requestId = client.nextRequestId++;
    return command;
  }

  private lockName(): string {
    return `lock-${this.random.intBetween(1, this.locks)}`;
  }
}
