import { LockClient } from '@app/lock-client';
import { randomUUID } from 'node:crypto';
import type { Subscription } from 'rxjs';

/** A fork lock that the cluster freed because its holder's session expired. */
export interface ForkExpiry {
  fork: number;
  owner: string;
  atMs: number;
}

/**
 * Watches the fork locks (`client.watch`) and notes every `expired` change: the cluster
 * freeing a fork because its holder's session ended, which is how a killed philosopher's
 * forks come free. A client of its own, as any observer would be.
 */
export class ExpiryWatch {
  readonly expiries: ForkExpiry[] = [];
  readonly failures: string[] = [];
  private readonly client: LockClient;
  private readonly subscriptions: Subscription[] = [];

  constructor(nodes: string[], lockNames: string[], now: () => number) {
    this.client = new LockClient({ nodes, clientId: randomUUID() });
    lockNames.forEach((name, fork) => {
      const subscription = this.client.watch(name).subscribe({
        next: (event) => {
          if (event.type === 'expired') this.expiries.push({ fork, owner: event.owner, atMs: now() });
        },
        error: (err: unknown) => this.failures.push(err instanceof Error ? err.message : String(err)),
      });
      this.subscriptions.push(subscription);
    });
  }

  async close(): Promise<void> {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    await this.client.close();
  }
}
