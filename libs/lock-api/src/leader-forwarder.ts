import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { NO_MESSAGE_HANDLER } from '@nestjs/microservices/constants';
import { catchError, firstValueFrom, map, of, timeout } from 'rxjs';
import {
  MAX_FORWARD_BATCH_SIZE,
  MessagePatterns,
  isForwardableInBatch,
  isRpcErrorBody,
  type ForwardBatchItemResult,
  type ForwardBatchRequest,
  type ForwardedRequest,
  type MemberAddress,
  type MessagePattern,
} from '@app/protocol';
import { NODE_OPTIONS, ReplicaService, TcpClientPool, describeError, type NodeOptions } from '@app/replica';
import { fromRpcErrorBody, ok, type LockApiResult } from './lock-api-error';

interface QueuedForward {
  request: ForwardedRequest;
  settle: (result: LockApiResult<unknown>) => void;
}

/**
 * Sends a client's write to the leader's TCP transport (ARCHITECTURE.md, "The life of a
 * preempt"). The writes that arrive in one turn of the event loop go to the leader in one
 * message (`forwardBatch`): under load a follower forwards many at once, and one message
 * costs the leader one request's worth of transport work instead of one per write.
 */
@Injectable()
export class LeaderForwarder implements OnApplicationShutdown {
  private readonly clients = new TcpClientPool();
  private queued: QueuedForward[] = [];
  private queuedFor: MemberAddress | null = null;
  /** The TCP address of a leader found not to know `forwardBatch`. */
  private leaderWithoutBatches: string | null = null;

  constructor(
    private readonly replica: ReplicaService,
    @Inject(NODE_OPTIONS) private readonly options: NodeOptions,
  ) {}

  forward<T>(
    pattern: MessagePattern,
    payload: object,
    timeoutMs = this.options.requestTimeoutMs,
  ): Promise<LockApiResult<T>> {
    const leader = this.replica.leader();
    if (!leader || leader.id === this.options.id) return Promise.resolve({ type: 'noLeader' });
    // A waiting preempt may take longer than the others: it travels alone.
    if (!isForwardableInBatch(pattern) || timeoutMs !== this.options.requestTimeoutMs)
      return this.send<T>(leader, pattern, { ...payload, forwardedBy: this.options.id }, timeoutMs);
    if (this.queuedFor !== null && this.queuedFor.tcpAddress !== leader.tcpAddress) this.flush();
    return new Promise<LockApiResult<T>>((resolve) => {
      const settle = (result: LockApiResult<unknown>) => resolve(result as LockApiResult<T>);
      this.queued.push({ request: { pattern, payload }, settle });
      if (this.queued.length === 1) setImmediate(() => this.flush());
      this.queuedFor = leader;
      if (this.queued.length >= MAX_FORWARD_BATCH_SIZE) this.flush();
    });
  }

  onApplicationShutdown(): Promise<void> {
    return this.clients.close();
  }

  private flush(): void {
    const [queued, leader] = [this.queued, this.queuedFor];
    this.queued = [];
    this.queuedFor = null;
    if (leader === null || queued.length === 0) return;
    // Forgotten once another node leads: an upgraded node comes back only after a restart,
    // which hands the leadership on.
    if (this.leaderWithoutBatches !== leader.tcpAddress) this.leaderWithoutBatches = null;
    if (queued.length === 1 || this.leaderWithoutBatches === leader.tcpAddress) {
      for (const forward of queued) this.sendAlone(leader, forward);
      return;
    }
    const batch: ForwardBatchRequest = {
      forwardedBy: this.options.id,
      requests: queued.map((q) => q.request),
    };
    void this.request<ForwardBatchItemResult[]>(leader, MessagePatterns.forwardBatch, batch).then(
      (answer) => {
        // A leader of an earlier version (during a rolling upgrade) has no batch handler and
        // ran none of the batch: each request goes again on its own, to it and from now on.
        if (answer === 'unknownPattern') {
          this.leaderWithoutBatches = leader.tcpAddress;
          for (const forward of queued) this.sendAlone(leader, forward);
        } else queued.forEach(({ settle }, i) => settle(batchItemResult(answer, i, queued.length)));
      },
    );
  }

  private sendAlone(leader: MemberAddress, { request, settle }: QueuedForward): void {
    void this.send(leader, request.pattern, { ...request.payload, forwardedBy: this.options.id }).then(
      settle,
    );
  }

  private async send<T>(
    leader: MemberAddress,
    pattern: MessagePattern,
    payload: object,
    timeoutMs = this.options.requestTimeoutMs,
  ): Promise<LockApiResult<T>> {
    const answer = await this.request<T>(leader, pattern, payload, timeoutMs);
    if (answer !== 'unknownPattern') return answer;
    return { type: 'unavailable', reason: `leader ${leader.id} does not know ${pattern}` };
  }

  /** The leader's answer; `unknownPattern` when its transport has no handler for `pattern`. */
  private request<T>(
    leader: MemberAddress,
    pattern: MessagePattern,
    payload: object,
    timeoutMs = this.options.requestTimeoutMs,
  ): Promise<LockApiResult<T> | 'unknownPattern'> {
    const request$ = this.clients
      .get(leader.tcpAddress)
      .send<T>(pattern, payload)
      .pipe(
        timeout(timeoutMs),
        map((value) => ok(value)),
        catchError((error: unknown) =>
          of<LockApiResult<T> | 'unknownPattern'>(
            error === NO_MESSAGE_HANDLER
              ? 'unknownPattern'
              : isRpcErrorBody(error)
                ? fromRpcErrorBody(error)
                : {
                    type: 'unavailable',
                    reason: `leader ${leader.id} did not answer: ${describeError(error)}`,
                  },
          ),
        ),
      );
    return firstValueFrom(request$);
  }
}

/** Item `i` of a batch's answer: what the leader answered for it, or the batch's own failure. */
function batchItemResult(
  answer: LockApiResult<ForwardBatchItemResult[]>,
  i: number,
  size: number,
): LockApiResult<unknown> {
  if (answer.type !== 'ok') return answer;
  const item = answer.value[i];
  if (answer.value.length !== size || item === undefined)
    return { type: 'unavailable', reason: `the leader answered ${answer.value.length} of ${size} requests` };
  return 'ok' in item ? ok(item.ok) : fromRpcErrorBody(item.error);
}
