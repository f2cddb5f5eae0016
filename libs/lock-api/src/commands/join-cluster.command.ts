import { Command } from '@nestjs/cqrs';
import type { JoinClusterResponse, MemberAddress } from '@app/protocol';
import type { LockApiResult } from '../lock-api-error';

export class JoinClusterCommand extends Command<LockApiResult<JoinClusterResponse>> {
  constructor(
    readonly member: MemberAddress,
    readonly forwardedBy: string | null = null,
  ) {
    super();
  }
}
