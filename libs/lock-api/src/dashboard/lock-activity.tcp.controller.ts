import { Controller, UseInterceptors } from '@nestjs/common';
import { MessagePattern, Payload, RpcException } from '@nestjs/microservices';
import { MessagePatterns, type LockActivityResponse } from '@app/protocol';
import { ReplicaService } from '@app/replica';
import { LockActivity } from './lock-activity';
import { RequestMetricsInterceptor } from '../metrics/request-metrics.interceptor';

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;

/** `latchkey top` over TCP: the busiest locks as this node applied them. */
@UseInterceptors(RequestMetricsInterceptor)
@Controller()
export class LockActivityTcpController {
  constructor(
    private readonly activity: LockActivity,
    private readonly replica: ReplicaService,
  ) {}

  @MessagePattern(MessagePatterns.lockActivity)
  lockActivity(@Payload() payload: unknown): LockActivityResponse {
    const limit = parseLimit(payload);
    const status = this.replica.status();
    return {
      servedBy: status.id,
      role: status.role,
      term: status.term,
      leaderId: status.leaderId,
      commitIndex: status.commitIndex,
      appliedIndex: status.appliedIndex,
      nowMs: Date.now(),
      held: this.activity.heldCount,
      waiters: this.activity.waiterCount,
      sessions: this.activity.sessionCount,
      busiest: this.activity.busy(limit),
    };
  }
}

function parseLimit(payload: unknown): number {
  const limit: unknown =
    typeof payload === 'object' && payload !== null ? (payload as { limit?: unknown }).limit : undefined;
  if (limit === undefined) return DEFAULT_LIMIT;
  if (typeof limit === 'number' && Number.isInteger(limit) && limit >= 1 && limit <= MAX_LIMIT) return limit;
  throw new RpcException({ code: 'bad_request', message: `limit must be an integer from 1 to ${MAX_LIMIT}` });
}
