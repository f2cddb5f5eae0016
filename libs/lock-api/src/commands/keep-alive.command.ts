import { Command } from '@nestjs/cqrs';
import type { KeepAliveResponse } from '@app/protocol';
import type { LockApiResult } from '../lock-api-error';

export class KeepAliveCommand extends Command<LockApiResult<KeepAliveResponse>> {
  constructor(
    readonly sessionId: string,
    readonly forwardedBy: string | null = null,
  ) {
    super();
  }
}
