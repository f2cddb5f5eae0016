import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Subject, type Subscription } from 'rxjs';
import { LockClient } from '@app/lock-client';
import type { LockWatchEvent } from '@app/protocol';
import { replicaLockName } from '../replica/replica-options';
import { COORDINATOR_OPTIONS, type CoordinatorOptions } from './coordinator-options';

const POLL_MS = 1000;
const RESUBSCRIBE_MS = 500;

/**
 * Which replicas are connected: those whose `twopc-replica-<id>` lock is held. A watch per
 * lock reports grants, releases and expiries as they are applied; a periodic list covers
 * the gaps while a watch is being re-established (watches do not replay).
 */
@Injectable()
export class ReplicaLocksWatcher implements OnApplicationShutdown {
  /** emits a replica id when its lock is released or expires */
  readonly disconnected = new Subject<string>();
  private readonly logger = new Logger('ReplicaLocks');
  private readonly client: LockClient;
  private readonly held = new Map<string, boolean>();
  /** bumped by every watch event, so that a list answered before the event cannot undo it */
  private eventCount = 0;
  private readonly watches = new Map<string, Subscription>();
  private poller: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(@Inject(COORDINATOR_OPTIONS) private readonly options: CoordinatorOptions) {
    this.client = new LockClient({ nodes: options.servers, clientId: randomUUID() });
    for (const id of options.replicas.keys()) this.held.set(id, false);
  }

  start(): void {
    for (const id of this.options.replicas.keys()) this.subscribe(id);
    void this.poll();
    this.poller = setInterval(() => void this.poll(), POLL_MS);
  }

  isConnected(id: string): boolean {
    return this.held.get(id) === true;
  }

  /** The replicas whose lock is not held now. */
  missing(): string[] {
    return [...this.held].filter(([, held]) => !held).map(([id]) => id);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.poller !== null) clearInterval(this.poller);
    for (const watch of this.watches.values()) watch.unsubscribe();
    await this.client.close();
  }

  private subscribe(id: string): void {
    if (this.stopped) return;
    const watch = this.client.watch(replicaLockName(id)).subscribe({
      next: (event) => this.onEvent(id, event),
      error: () => setTimeout(() => this.subscribe(id), RESUBSCRIBE_MS),
    });
    this.watches.set(id, watch);
  }

  private onEvent(id: string, event: LockWatchEvent): void {
    this.eventCount++;
    this.set(id, event.type === 'granted', `${event.type} (token ${event.fencingToken})`);
  }

  private async poll(): Promise<void> {
    const eventsBefore = this.eventCount;
    const held = await this.client.list('twopc-replica-').catch(() => null);
    if (held === null || this.stopped || this.eventCount !== eventsBefore) return;
    const names = new Set(held.map((lock) => lock.name));
    for (const id of this.options.replicas.keys())
      this.set(id, names.has(replicaLockName(id)), 'seen by a check');
  }

  private set(id: string, isHeld: boolean, how: string): void {
    const was = this.held.get(id);
    if (was === isHeld) return;
    this.held.set(id, isHeld);
    this.logger.log(`replica ${id} ${isHeld ? 'connected' : 'disconnected'}: ${replicaLockName(id)} ${how}`);
    if (!isHeld) this.disconnected.next(id);
  }
}
