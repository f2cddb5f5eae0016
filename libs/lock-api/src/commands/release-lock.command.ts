import { Command } from '@nestjs/cqrs';
import type { ReleaseLockResponse } from '@app/protocol';
import type { LockApiResult } from '../lock-api-error';

export class ReleaseLockCommand extends Command<LockApiResult<ReleaseLockResponse>> {
  constructor(
    readonly name: string,
    readonly clientId: string,
    readonly forwardedBy: string | null = null,
  ) {
    super();
  }
}
