import { Command } from '@nestjs/cqrs';
import type { PreemptLockResponse } from '@app/protocol';
import type { LockApiResult } from '../lock-api-error';

export class PreemptLockCommand extends Command<LockApiResult<PreemptLockResponse>> {
  constructor(
    readonly name: string,
    readonly clientId: string,
    /** set when another node forwarded the request: this node must not forward again */
    readonly forwardedBy: string | null = null,
  ) {
    super();
  }
}
