import { Command } from '@nestjs/cqrs';
import type { OpenSessionRequest, OpenSessionResponse } from '@app/protocol';
import type { LockApiResult } from '../lock-api-error';

export class OpenSessionCommand extends Command<LockApiResult<OpenSessionResponse & { index?: number }>> {
  constructor(
    readonly request: Required<OpenSessionRequest>,
    readonly forwardedBy: string | null = null,
  ) {
    super();
  }
}
