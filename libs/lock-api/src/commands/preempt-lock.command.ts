import { Command } from '@nestjs/cqrs';
import type { PreemptLockRequest, PreemptLockResponse } from '@app/protocol';
import type { LockApiResult } from '../lock-api-error';

export class PreemptLockCommand extends Command<LockApiResult<PreemptLockResponse>> {
  constructor(
    readonly request: PreemptLockRequest,
    /** set when another node forwarded the request: this node must not forward again */
    readonly forwardedBy: string | null = null,
  ) {
    super();
  }
}
