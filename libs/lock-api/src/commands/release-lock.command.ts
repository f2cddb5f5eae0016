import { Command } from '@nestjs/cqrs';
import type { ReleaseLockRequest, ReleaseLockResponse } from '@app/protocol';
import type { LockApiResult } from '../lock-api-error';

export class ReleaseLockCommand extends Command<LockApiResult<ReleaseLockResponse>> {
  constructor(
    readonly request: ReleaseLockRequest,
    readonly forwardedBy: string | null = null,
  ) {
    super();
  }
}
