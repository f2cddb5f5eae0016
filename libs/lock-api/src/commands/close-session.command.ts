import { Command } from '@nestjs/cqrs';
import type { CloseSessionResponse } from '@app/protocol';
import type { LockApiResult } from '../lock-api-error';

export class CloseSessionCommand extends Command<LockApiResult<CloseSessionResponse & { index?: number }>> {
  constructor(
    readonly sessionId: string,
    readonly forwardedBy: string | null = null,
  ) {
    super();
  }
}
