import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ClientProxyFactory, Transport, type ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, timeout } from 'rxjs';
import {
  MessagePatterns,
  isRpcErrorBody,
  parseHostPort,
  type JoinClusterRequest,
  type JoinClusterResponse,
} from '@app/protocol';
import { describeError } from './describe-error';
import { NODE_OPTIONS, type NodeOptions } from './node-options';
import { PeerGate, joinSealBody, joinSealContext } from './peer-gate';
import { ReplicaService } from './replica.service';

const JOIN_RETRY_MS = 500;

/** The cluster will not take this node as it is; retrying cannot help, an operator must act. */
export class JoinRefusedError extends Error {
  override name = 'JoinRefusedError';
}

type JoinAnswer =
  { type: 'joined'; response: JoinClusterResponse } | { type: 'retry' } | { type: 'refused'; reason: string };

/**
 * A node started with --join asks that member to add it to the cluster, retrying until
 * the membership entry is committed. It joins as a learner, and the leader promotes it
 * once it has caught up. A node whose log already lists it, with this data directory's
 * storage, never asks again.
 */
@Injectable()
export class ClusterJoinService implements OnApplicationShutdown {
  private readonly logger = new Logger(ClusterJoinService.name);
  private client: ClientProxy | null = null;
  private stopped = false;

  constructor(
    @Inject(NODE_OPTIONS) private readonly options: NodeOptions,
    private readonly replica: ReplicaService,
    private readonly gate: PeerGate,
  ) {}

  /**
   * Called once the node's ports are open, so the leader can reach us right away. Resolves
   * once joined (or at once if nothing to do); rejects with JoinRefusedError when the
   * cluster refuses this node, e.g. an emptied data directory under a voter's id.
   */
  async start(): Promise<void> {
    if (this.options.join === null || this.joined()) return;
    const address = parseHostPort(this.options.join);
    if (!address) throw new Error(`malformed --join ${this.options.join}`);
    this.client = ClientProxyFactory.create({ transport: Transport.TCP, options: address });
    await this.joinUntilMember();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.client?.close();
  }

  /** A member that knows its cluster; a data directory from before cluster ids asks once to learn it. */
  private joined(): boolean {
    return this.replica.isMember() && this.gate.identity.id !== null;
  }

  private async joinUntilMember(): Promise<void> {
    while (!this.stopped && !this.joined()) {
      const answer = await this.askToJoin();
      if (answer.type === 'refused')
        throw new JoinRefusedError(`join through ${this.options.join} refused: ${answer.reason}`);
      if (answer.type === 'joined') {
        await this.storeClusterId(answer.response);
        this.logger.log(
          `joined cluster ${this.gate.identity.id} through ${this.options.join}; leader ${answer.response.leaderId}`,
        );
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, JOIN_RETRY_MS));
    }
  }

  /** Stored (fsync'd) before this node takes part: until then it drops peer messages. */
  private async storeClusterId(response: JoinClusterResponse): Promise<void> {
    const { clusterId } = response;
    const own = this.gate.identity.id;
    if (clusterId === undefined)
      throw new JoinRefusedError(`${this.options.join} answered without a cluster id (an older version?)`);
    if (own !== null && own !== clusterId)
      throw new JoinRefusedError(`${this.options.join} belongs to cluster ${clusterId}, this node to ${own}`);
    await this.gate.identity.adopt(clusterId);
  }

  private joinRequest(): JoinClusterRequest {
    const clusterId = this.gate.identity.id;
    const request: JoinClusterRequest = {
      ...this.replica.self(),
      ...(clusterId === null ? {} : { clusterId }),
    };
    const auth = this.gate.seal(joinSealContext(request), joinSealBody(request));
    return auth === undefined ? request : { ...request, auth };
  }

  private async askToJoin(): Promise<JoinAnswer> {
    const request = this.joinRequest();
    const reply$ = this.client!.send<JoinClusterResponse>(MessagePatterns.join, request).pipe(
      timeout(this.options.requestTimeoutMs),
    );
    return firstValueFrom(reply$).then(
      (response): JoinAnswer => ({ type: 'joined', response }),
      (error: unknown): JoinAnswer => {
        // A bad request is final: the cluster decided about this node, not about the moment.
        if (isRpcErrorBody(error) && error.code === 'bad_request')
          return { type: 'refused', reason: error.message };
        this.logger.warn(`join through ${this.options.join} failed: ${describeError(error)}; retrying`);
        return { type: 'retry' };
      },
    );
  }
}
