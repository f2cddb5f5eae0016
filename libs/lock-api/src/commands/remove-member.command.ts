import { Command } from '@nestjs/cqrs';
import type { JoinClusterResponse } from '@app/protocol';
import type { LockApiResult } from '../lock-api-error';

export class RemoveMemberCommand extends Command<LockApiResult<JoinClusterResponse>> {
  constructor(
    readonly memberId: string,
    readonly forwardedBy: string | null = null,
  ) {
    super();
  }
}
