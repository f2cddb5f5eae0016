import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { MessagePatterns, type ReleaseLockResponse } from '@app/protocol';
import type { LockOutcome } from '@app/lock-table';

import { ok, type LockApiResult } from '../lock-api-error';
import { LockWriteService } from '../lock-write.service';
import { unreachableOutcome } from './preempt-response';
import { ReleaseLockCommand } from './release-lock.command';

@CommandHandler(ReleaseLockCommand)
export class ReleaseLockHandler implements ICommandHandler<ReleaseLockCommand> {
  constructor(private readonly writes: LockWriteService) {}

  execute({ request, forwardedBy }: ReleaseLockCommand): Promise<LockApiResult<ReleaseLockResponse>> {
    return this.writes.write(
      { type: 'release', ...request },
      { pattern: MessagePatterns.release, payload: request },
      forwardedBy,
      ({ outcome, index }) => toReleaseResponse(outcome, index),
    );
  }
}

function toReleaseResponse(outcome: LockOutcome, index: number): LockApiResult<ReleaseLockResponse> {
  switch (outcome.type) {
    case 'released':
      return ok({ name: outcome.name, released: true, index });
    case 'notHeld':
      return ok({ name: outcome.name, released: false, reason: 'not_held', owner: null, index });
    case 'notOwner':
      return ok({ name: outcome.name, released: false, reason: 'not_owner', owner: outcome.owner, index });
    default:
      return unreachableOutcome(outcome.type);
  }
}
