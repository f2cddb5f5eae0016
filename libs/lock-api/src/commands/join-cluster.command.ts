import { Command } from '@nestjs/cqrs';
import type { JoinClusterRequest, JoinClusterResponse } from '@app/protocol';
import type { LockApiResult } from '../lock-api-error';

export class JoinClusterCommand extends Command<LockApiResult<JoinClusterResponse>> {
  constructor(
    readonly member: JoinClusterRequest,
    readonly forwardedBy: string | null = null,
  ) {
    super();
  }
}
