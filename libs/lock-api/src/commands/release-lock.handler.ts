import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { MessagePatterns, type ReleaseLockResponse } from '@app/protocol';
import { assert } from '@app/replicated-log';
import type { LockOutcome } from '@app/lock-table';
import type { LockApiResult } from '../lock-api-error';
import { LockWriteService } from '../lock-write.service';
import { ReleaseLockCommand } from './release-lock.command';

@CommandHandler(ReleaseLockCommand)
export class ReleaseLockHandler implements ICommandHandler<ReleaseLockCommand> {
  constructor(private readonly writes: LockWriteService) {}

  execute(command: ReleaseLockCommand): Promise<LockApiResult<ReleaseLockResponse>> {
    return this.writes.write(
      { type: 'release', name: command.name, clientId: command.clientId },
      MessagePatterns.release,
      command.forwardedBy,
      toReleaseResponse,
    );
  }
}

function toReleaseResponse(outcome: LockOutcome, index: number): ReleaseLockResponse {
  switch (outcome.type) {
    case 'released':
      return { name: outcome.name, released: true, index };
    case 'notHeld':
      return { name: outcome.name, released: false, reason: 'not_held', owner: null, index };
    case 'notOwner':
      return { name: outcome.name, released: false, reason: 'not_owner', owner: outcome.owner, index };
    default:
      return assert(false, `release decided ${outcome.type}`) as never;
  }
}
