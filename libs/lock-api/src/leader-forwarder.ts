import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { catchError, firstValueFrom, map, of, timeout } from 'rxjs';
import { isRpcErrorBody, type MessagePattern } from '@app/protocol';
import { NODE_OPTIONS, ReplicaService, TcpClientPool, describeError, type NodeOptions } from '@app/replica';
import { fromRpcErrorBody, ok, type LockApiResult } from './lock-api-error';

/** Sends a client's write to the leader's TCP transport (ARCHITECTURE.md, "The life of a preempt"). */
@Injectable()
export class LeaderForwarder implements OnApplicationShutdown {
  private readonly clients = new TcpClientPool();

  constructor(
    private readonly replica: ReplicaService,
    @Inject(NODE_OPTIONS) private readonly options: NodeOptions,
  ) {}

  async forward<T>(
    pattern: MessagePattern,
    payload: object,
    timeoutMs = this.options.requestTimeoutMs,
  ): Promise<LockApiResult<T>> {
    const leader = this.replica.leader();
    if (!leader || leader.id === this.options.id) return { type: 'noLeader' };
    const request$ = this.clients
      .get(leader.tcpAddress)
      .send<T>(pattern, { ...payload, forwardedBy: this.options.id })
      .pipe(
        timeout(timeoutMs),
        map((value) => ok(value)),
        catchError((error: unknown) =>
          of<LockApiResult<T>>(
            isRpcErrorBody(error)
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

  onApplicationShutdown(): Promise<void> {
    return this.clients.close();
  }
}
