import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { LockProposedEvent } from '@app/replica';
import { LockOwnersReadModel } from '../lock-owners.read-model';

/**
 * Projects applied lock entries into the read model. It is synchronous, so the model
 * is current before the client waiting on this entry hears its answer.
 */
@EventsHandler(LockProposedEvent)
export class LockOwnersProjection implements IEventHandler<LockProposedEvent> {
  constructor(private readonly readModel: LockOwnersReadModel) {}

  handle(event: LockProposedEvent): void {
    const { outcome, index } = event;
    switch (outcome.type) {
      case 'granted':
        return this.readModel.grant(index, { name: outcome.name, owner: outcome.owner, fencingToken: outcome.fencingToken });
      case 'released':
        return this.readModel.release(index, outcome.name);
      case 'lockHeld':
      case 'notHeld':
      case 'notOwner':
        return this.readModel.unchanged(index);
    }
  }
}
