import { Controller } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { Ctx, MessagePattern, Payload, RpcException, type TcpContext } from '@nestjs/microservices';
import { fromEvent, takeUntil, type Observable } from 'rxjs';
import {
  MessagePatterns,
  isRpcErrorBody,
  type CheckLockResponse,
  type ForwardBatchItemResult,
  type ForwardedRequest,
  type ClusterStatus,
  type CloseSessionResponse,
  type JoinClusterResponse,
  type KeepAliveResponse,
  type LockSummary,
  type LockWatchEvent,
  type OpenSessionResponse,
  type PreemptLockResponse,
  type ReadIndexResponse,
  type ReleaseLockResponse,
} from '@app/protocol';
import { ReadBarrier } from '../read-barrier.service';
import { CloseSessionCommand } from '../commands/close-session.command';
import { JoinClusterCommand } from '../commands/join-cluster.command';
import { KeepAliveCommand } from '../commands/keep-alive.command';
import { OpenSessionCommand } from '../commands/open-session.command';
import { PreemptLockCommand } from '../commands/preempt-lock.command';
import { ReleaseLockCommand } from '../commands/release-lock.command';
import { RemoveMemberCommand } from '../commands/remove-member.command';
import { isLockApiError, toRpcErrorBody, type LockApiResult } from '../lock-api-error';
import { LockWatchHub } from '../lock-watch.hub';
import { CheckLockQuery } from '../queries/check-lock.query';
import { ClusterStatusQuery } from '../queries/cluster-status.query';
import { ListLocksQuery } from '../queries/list-locks.query';
import {
  parseCheckPayload,
  parseForwardBatchPayload,
  parseForwardedBy,
  parseJoinPayload,
  parseListPayload,
  parseNamePayload,
  parseOpenSessionPayload,
  parsePreemptPayload,
  parseReleasePayload,
  parseRemoveMemberPayload,
  parseSessionPayload,
} from './tcp-payloads';
import { NodeMetrics } from '../metrics/node-metrics';
import { TimedRpc } from '../metrics/timed-rpc.decorator';

/** The SDK's and the followers' way in: the same commands and queries as HTTP. */
@Controller()
export class LocksTcpController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
    private readonly watchHub: LockWatchHub,
    private readonly readBarrier: ReadBarrier,
    readonly metrics: NodeMetrics,
  ) {}

  @MessagePattern(MessagePatterns.preempt)
  @TimedRpc()
  async preempt(@Payload() payload: unknown): Promise<PreemptLockResponse> {
    const { request, forwardedBy } = parsePreemptPayload(payload);
    return unwrapForRpc(await this.commandBus.execute(new PreemptLockCommand(request, forwardedBy)));
  }

  @MessagePattern(MessagePatterns.release)
  @TimedRpc()
  async release(@Payload() payload: unknown): Promise<ReleaseLockResponse> {
    const { request, forwardedBy } = parseReleasePayload(payload);
    return unwrapForRpc(await this.commandBus.execute(new ReleaseLockCommand(request, forwardedBy)));
  }

  @MessagePattern(MessagePatterns.check)
  @TimedRpc()
  async check(@Payload() payload: unknown): Promise<CheckLockResponse> {
    const { name, consistency, minIndex } = parseCheckPayload(payload);
    return unwrapForRpc(await this.queryBus.execute(new CheckLockQuery(name, consistency, minIndex)));
  }

  @MessagePattern(MessagePatterns.readIndex)
  @TimedRpc()
  async readIndex(@Payload() payload: unknown): Promise<ReadIndexResponse> {
    const confirmed = await this.readBarrier.confirmedIndex(parseForwardedBy(payload));
    return { index: unwrapForRpc(confirmed) };
  }

  @MessagePattern(MessagePatterns.list)
  @TimedRpc()
  list(@Payload() payload: unknown): Promise<LockSummary[]> {
    return this.queryBus.execute(new ListLocksQuery(parseListPayload(payload)));
  }

  /** A stream: the transport sends one response per applied change until the client leaves. */
  @MessagePattern(MessagePatterns.watch)
  watch(@Payload() payload: unknown, @Ctx() context: TcpContext): Observable<LockWatchEvent> {
    // The transport never unsubscribes on its own; end the stream with the connection.
    const closed$ = fromEvent(context.getSocketRef().netSocket, 'close');
    return this.watchHub.watch(parseNamePayload(payload)).pipe(takeUntil(closed$));
  }

  @MessagePattern(MessagePatterns.openSession)
  @TimedRpc()
  async openSession(@Payload() payload: unknown): Promise<OpenSessionResponse> {
    const { request, forwardedBy } = parseOpenSessionPayload(payload);
    return unwrapForRpc(await this.commandBus.execute(new OpenSessionCommand(request, forwardedBy)));
  }

  @MessagePattern(MessagePatterns.keepAlive)
  @TimedRpc()
  async keepAlive(@Payload() payload: unknown): Promise<KeepAliveResponse> {
    const { sessionId, forwardedBy } = parseSessionPayload(payload);
    return unwrapForRpc(await this.commandBus.execute(new KeepAliveCommand(sessionId, forwardedBy)));
  }

  @MessagePattern(MessagePatterns.closeSession)
  @TimedRpc()
  async closeSession(@Payload() payload: unknown): Promise<CloseSessionResponse> {
    const { sessionId, forwardedBy } = parseSessionPayload(payload);
    return unwrapForRpc(await this.commandBus.execute(new CloseSessionCommand(sessionId, forwardedBy)));
  }

  /**
   * A follower's forwarded writes of one turn: each runs as the command it would have been
   * alone, and the answers come back in order, an error for one not failing the others.
   */
  @MessagePattern(MessagePatterns.forwardBatch)
  @TimedRpc()
  forwardBatch(@Payload() payload: unknown): Promise<ForwardBatchItemResult[]> {
    const { forwardedBy, requests } = parseForwardBatchPayload(payload);
    return Promise.all(
      requests.map((request) =>
        this.executeForwarded(request, forwardedBy).then((ok) => ({ ok }), batchItemError),
      ),
    );
  }

  private executeForwarded({ pattern, payload }: ForwardedRequest, forwardedBy: string): Promise<unknown> {
    const forwarded = { ...payload, forwardedBy };
    switch (pattern) {
      case MessagePatterns.preempt:
        return this.preempt(forwarded);
      case MessagePatterns.release:
        return this.release(forwarded);
      case MessagePatterns.openSession:
        return this.openSession(forwarded);
      case MessagePatterns.keepAlive:
        return this.keepAlive(forwarded);
      case MessagePatterns.closeSession:
        return this.closeSession(forwarded);
    }
  }

  @MessagePattern(MessagePatterns.clusterStatus)
  @TimedRpc()
  clusterStatus(): Promise<ClusterStatus> {
    return this.queryBus.execute(new ClusterStatusQuery());
  }

  @MessagePattern(MessagePatterns.removeMember)
  @TimedRpc()
  async removeMember(@Payload() payload: unknown): Promise<JoinClusterResponse> {
    const { memberId, forwardedBy } = parseRemoveMemberPayload(payload);
    return unwrapForRpc(await this.commandBus.execute(new RemoveMemberCommand(memberId, forwardedBy)));
  }

  @MessagePattern(MessagePatterns.join)
  @TimedRpc()
  async join(@Payload() payload: unknown): Promise<JoinClusterResponse> {
    const { member, forwardedBy } = parseJoinPayload(payload);
    return unwrapForRpc(await this.commandBus.execute(new JoinClusterCommand(member, forwardedBy)));
  }
}

/** An item's RPC error becomes its answer; anything else is a bug and fails the whole batch. */
function batchItemError(error: unknown): ForwardBatchItemResult {
  const body = error instanceof RpcException ? error.getError() : undefined;
  if (isRpcErrorBody(body)) return { error: body };
  throw error;
}

function unwrapForRpc<T>(result: LockApiResult<T>): T {
  if (isLockApiError(result)) throw new RpcException(toRpcErrorBody(result));
  return result.value;
}
