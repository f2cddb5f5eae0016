import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import type { LockEvent } from '@app/lock-table';
import { LockProposedEvent, LogAdvancedEvent } from '@app/replica';
import { LockOwnersReadModel } from '../lock-owners.read-model';
import { LockWatchHub } from '../lock-watch.hub';
import { WaitingPreempts } from '../waiting-preempts';

/**
 * Projects applied lock entries into the read model, the watch streams and the queued
 * preempts. It is synchronous, so all three are current before the client waiting on
 * this entry hears its answer.
 */
@EventsHandler(LockProposedEvent, LogAdvancedEvent)
export class LockOwnersProjection implements IEventHandler<LockProposedEvent | LogAdvancedEvent> {
  constructor(
    private readonly readModel: LockOwnersReadModel,
    private readonly watchHub: LockWatchHub,
    private readonly waitingPreempts: WaitingPreempts,
  ) {}

  handle(event: LockProposedEvent | LogAdvancedEvent): void {
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
