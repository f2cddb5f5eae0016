import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { MessagePatterns, type PreemptLockResponse } from '@app/protocol';
import { assert } from '@app/replicated-log';
import type { LockOutcome } from '@app/lock-table';
import type { LockApiResult } from '../lock-api-error';
import { LockWriteService } from '../lock-write.service';
import { PreemptLockCommand } from './preempt-lock.command';

@CommandHandler(PreemptLockCommand)
export class PreemptLockHandler implements ICommandHandler<PreemptLockCommand> {
  constructor(private readonly writes: LockWriteService) {}

  execute(command: PreemptLockCommand): Promise<LockApiResult<PreemptLockResponse>> {
    return this.writes.write(
      { type: 'preempt', name: command.name, clientId: command.clientId },
      MessagePatterns.preempt,
      command.forwardedBy,
      toPreemptResponse,
    );
  }
}

function toPreemptResponse(outcome: LockOutcome, index: number): PreemptLockResponse {
  switch (outcome.type) {
    case 'granted':
      return { name: outcome.name, acquired: true, owner: outcome.owner, fencingToken: outcome.fencingToken, index };
    case 'lockHeld':
      return { name: outcome.name, acquired: false, owner: outcome.owner, fencingToken: outcome.fencingToken, index };
    default:
      return assert(false, `preempt decided ${outcome.type}`) as never;
  }
}
