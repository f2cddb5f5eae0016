import { Controller } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { MessagePattern, Payload, RpcException } from '@nestjs/microservices';
import {
  MessagePatterns,
  type CheckLockResponse,
  type ClusterStatus,
  type JoinClusterResponse,
  type LockSummary,
  type PreemptLockResponse,
  type ReleaseLockResponse,
} from '@app/protocol';
import { JoinClusterCommand } from '../commands/join-cluster.command';
import { PreemptLockCommand } from '../commands/preempt-lock.command';
import { ReleaseLockCommand } from '../commands/release-lock.command';
import { isLockApiError, toRpcErrorBody, type LockApiResult } from '../lock-api-error';
import { CheckLockQuery } from '../queries/check-lock.query';
import { ClusterStatusQuery } from '../queries/cluster-status.query';
import { ListLocksQuery } from '../queries/list-locks.query';
import { parseJoinPayload, parseListPayload, parseLockPayload } from './tcp-payloads';

/** The SDK's and the followers' way in: the same commands and queries as HTTP. */
@Controller()
export class LocksTcpController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
  ) {}

  @MessagePattern(MessagePatterns.preempt)
  async preempt(@Payload() payload: unknown): Promise<PreemptLockResponse> {
    const { name, clientId, forwardedBy } = parseLockPayload(payload, true);
    return unwrapForRpc(await this.commandBus.execute(new PreemptLockCommand(name, clientId!, forwardedBy)));
  }

  @MessagePattern(MessagePatterns.release)
  async release(@Payload() payload: unknown): Promise<ReleaseLockResponse> {
    const { name, clientId, forwardedBy } = parseLockPayload(payload, true);
    return unwrapForRpc(await this.commandBus.execute(new ReleaseLockCommand(name, clientId!, forwardedBy)));
  }

  @MessagePattern(MessagePatterns.check)
  check(@Payload() payload: unknown): Promise<CheckLockResponse> {
    return this.queryBus.execute(new CheckLockQuery(parseLockPayload(payload, false).name));
  }

  @MessagePattern(MessagePatterns.list)
  list(@Payload() payload: unknown): Promise<LockSummary[]> {
    return this.queryBus.execute(new ListLocksQuery(parseListPayload(payload)));
  }

  @MessagePattern(MessagePatterns.clusterStatus)
  clusterStatus(): Promise<ClusterStatus> {
    return this.queryBus.execute(new ClusterStatusQuery());
  }

  @MessagePattern(MessagePatterns.join)
  async join(@Payload() payload: unknown): Promise<JoinClusterResponse> {
    const { member, forwardedBy } = parseJoinPayload(payload);
    return unwrapForRpc(await this.commandBus.execute(new JoinClusterCommand(member, forwardedBy)));
  }
}

function unwrapForRpc<T>(result: LockApiResult<T>): T {
  if (isLockApiError(result)) throw new RpcException(toRpcErrorBody(result));
  return result.value;
}

