import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { LockEvent } from '@app/lock-table';
import {
  AppliedEntriesPublisher,
  LockProposedEvent,
  SnapshotRestoredEvent,
  type AppliedEntryEvent,
  type AppliedEntryListener,
} from '@app/replica';
import { LockOwnersReadModel } from '../lock-owners.read-model';
import { LockWatchHub } from '../lock-watch.hub';
import { WaitingPreempts } from '../waiting-preempts';

/**
 * Projects applied lock entries into the read model, the watch streams and the queued
 * preempts. The node calls it directly, in the apply step (AppliedEntriesPublisher), so
 * all three are current before the client waiting on this entry hears its answer; if it
 * throws, the node stops instead of serving a read model that drifted from the log.
 */
@Injectable()
export class LockOwnersProjection implements AppliedEntryListener, OnModuleInit {
  constructor(
    private readonly appliedEntries: AppliedEntriesPublisher,
    private readonly readModel: LockOwnersReadModel,
    private readonly watchHub: LockWatchHub,
    private readonly waitingPreempts: WaitingPreempts,
  ) {}

  /** Before any entry is applied: the node replays its log only after init. */
  onModuleInit(): void {
    this.appliedEntries.subscribe(this);
  }

  onApplied(event: AppliedEntryEvent): void {
    if (event instanceof SnapshotRestoredEvent)
      return this.readModel.reset(event.locks, event.waiting, event.index);
    if (event instanceof LockProposedEvent)
      for (const change of event.events) this.project(change, event.index);
    this.readModel.advanceTo(event.index);
  }

  private project(change: LockEvent, index: number): void {
    switch (change.type) {
      case 'granted':
        this.readModel.grant({ name: change.name, owner: change.owner, fencingToken: change.fencingToken });
        if (change.waiterId !== null) {
          this.readModel.changeWaiters(change.name, -1);
          this.waitingPreempts.settle(change.waiterId, {
            type: 'granted',
            index,
            owner: change.owner,
            fencingToken: change.fencingToken,
          });
        }
        return this.watchHub.publish({
          type: 'granted',
          name: change.name,
          owner: change.owner,
          fencingToken: change.fencingToken,
          index,
        });
      case 'released':
      case 'expired':
        this.readModel.free(change.name);
        return this.watchHub.publish({
          type: change.type,
          name: change.name,
          owner: change.owner,
          fencingToken: change.fencingToken,
          index,
        });
      case 'waiterQueued':
        return this.readModel.changeWaiters(change.name, 1);
      case 'waiterLeft':
        this.readModel.changeWaiters(change.name, -1);
        return this.waitingPreempts.settle(change.waiterId, { type: 'left', index, reason: change.reason });
    }
  }
}
