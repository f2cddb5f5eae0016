import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { LockClient, LockClientError, type LockSession } from '@app/lock-client';
import { REPLICA_OPTIONS, replicaLockName, type ReplicaOptions } from './replica-options';

const RETRY_MS = 500;
const LOCK_WAIT_MS = 60_000;

/**
 * The replica is "connected" while it holds `twopc-replica-<id>` in a session of its own,
 * as a ZooKeeper participant is while its ephemeral node exists: when the process dies the
 * session expires and the lock frees itself, which the coordinator sees.
 */
@Injectable()
export class ReplicaMembership implements OnApplicationShutdown {
  private readonly logger = new Logger('Membership');
  private readonly client: LockClient;
  private session: LockSession | null = null;
  private stopped = false;

  constructor(@Inject(REPLICA_OPTIONS) private readonly options: ReplicaOptions) {
    this.client = new LockClient({ nodes: options.servers, clientId: randomUUID() });
  }

  start(): void {
    void this.holdLock();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    // Closing the session frees the lock at once, so the coordinator need not wait for a TTL.
    await this.session?.close().catch(() => undefined);
    await this.client.close();
  }

  private async holdLock(): Promise<void> {
    const name = replicaLockName(this.options.id);
    while (!this.stopped) {
      const lost = await this.holdOnce(name).catch((err: unknown) => {
        if (!(err instanceof LockClientError)) throw err;
        this.logger.warn(`cannot hold ${name} yet: ${err.message}`);
        return sleep(RETRY_MS);
      });
      if (lost !== undefined) this.logger.warn(`lost ${name}: ${lost}; taking it again`);
    }
  }

  /** Opens a session, takes the lock (waiting for an old session of this replica to end), and resolves when the session is lost. */
  private async holdOnce(name: string): Promise<string> {
    let onLost: (reason: string) => void = () => undefined;
    const lost = new Promise<string>((resolve) => (onLost = resolve));
    const session = await this.client.openSession({ ttlMs: this.options.sessionTtlMs, onLost });
    this.session = session;
    try {
      const lock = await session.lock(name, { waitMs: LOCK_WAIT_MS });
      this.logger.log(`${this.options.id} holds ${name} (fencing token ${lock.fencingToken})`);
    } catch (err: unknown) {
      await session.close().catch(() => undefined);
      throw err;
    }
    return lost;
  }
}
