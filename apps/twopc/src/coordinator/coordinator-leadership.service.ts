import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Subject } from 'rxjs';
import { LockClient, LockClientError, type LockSession } from '@app/lock-client';
import { COORDINATOR_LOCK, COORDINATOR_OPTIONS, type CoordinatorOptions } from './coordinator-options';

const RETRY_MS = 500;
/** The longest waiting preempt the service allows; a standby simply waits again. */
const STANDBY_WAIT_MS = 300_000;

/**
 * Who coordinates: the process that holds `twopc-coordinator` in a live session. Standbys
 * wait in the lock's queue (a waiting preempt), so the grant that frees it goes to the
 * next one in the same replicated step. The grant's fencing token is this coordinator's
 * authority: replicas refuse every message carrying a lower one.
 */
@Injectable()
export class CoordinatorLeadership implements OnApplicationShutdown {
  /** emits the fencing token each time this process becomes the active coordinator */
  readonly activated = new Subject<number>();
  private readonly logger = new Logger('Leadership');
  private readonly client: LockClient;
  private session: LockSession | null = null;
  private currentToken: number | null = null;
  /** ends the current term: the session was lost, or this process stood down */
  private endTerm: (reason: string) => void = () => undefined;
  private stopped = false;

  constructor(@Inject(COORDINATOR_OPTIONS) private readonly options: CoordinatorOptions) {
    this.client = new LockClient({ nodes: options.servers, clientId: randomUUID() });
  }

  /** The fencing token while active; null while standing by. */
  get token(): number | null {
    return this.currentToken;
  }

  get clientId(): string {
    return this.client.clientId;
  }

  start(): void {
    void this.campaign();
  }

  /** A replica refused our token: a newer coordinator exists. Stop deciding, queue again. */
  standDown(reason: string): void {
    if (this.currentToken === null) return;
    this.logger.warn(`standing down (fencing token ${this.currentToken}): ${reason}`);
    this.currentToken = null;
    // Closing a session does not call its onLost: end the term here, so that campaign() queues again.
    this.endTerm(`stood down: ${reason}`);
    void this.session?.close().catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.currentToken = null;
    await this.session?.close().catch(() => undefined);
    await this.client.close();
  }

  private async campaign(): Promise<void> {
    while (!this.stopped) {
      const ended = await this.leadOnce().catch((err: unknown) => {
        if (!(err instanceof LockClientError)) throw err;
        if (err.code === 'lock_held' && !this.options.standby) this.giveUp(err.message);
        this.logger.warn(`not the coordinator yet: ${err.message}`);
        return sleep(RETRY_MS);
      });
      if (ended !== undefined) this.logger.warn(`no longer the active coordinator: ${ended}`);
    }
  }

  /** Waits for the lock in a fresh session; resolves when that session ends. */
  private async leadOnce(): Promise<string> {
    const lost = new Promise<string>((resolve) => (this.endTerm = resolve));
    const session = await this.client.openSession({
      ttlMs: this.options.sessionTtlMs,
      onLost: (reason) => this.endTerm(reason),
    });
    this.session = session;
    // Without --standby, wait only for a crashed predecessor's session to expire.
    const waitMs = this.options.standby ? STANDBY_WAIT_MS : 3 * this.options.sessionTtlMs;
    this.logger.log(`waiting for ${COORDINATOR_LOCK}${this.options.standby ? ' (standby)' : ''}`);
    const lock = await session.lock(COORDINATOR_LOCK, { waitMs }).catch(async (err: unknown) => {
      await session.close().catch(() => undefined);
      throw err;
    });
    this.currentToken = lock.fencingToken;
    this.logger.log(`${this.options.id} is the active coordinator, fencing token ${lock.fencingToken}`);
    this.activated.next(lock.fencingToken);
    const reason = await lost;
    this.currentToken = null;
    return reason;
  }

  private giveUp(message: string): never {
    this.logger.error(`another coordinator is active (${message}); start this one with --standby to wait`);
    process.exit(2);
  }
}
