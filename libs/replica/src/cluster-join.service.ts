import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ClientProxyFactory, Transport, type ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, timeout } from 'rxjs';
import {
  MessagePatterns,
  parseHostPort,
  type JoinClusterRequest,
  type JoinClusterResponse,
} from '@app/protocol';
import { describeError } from './describe-error';
import { NODE_OPTIONS, type NodeOptions } from './node-options';
import { ReplicaService } from './replica.service';

const JOIN_RETRY_MS = 500;

/**
 * A node started with --join asks that member to add it to the cluster, retrying until
 * the membership entry is committed. A node whose log already lists it never asks again.
 */
@Injectable()
export class ClusterJoinService implements OnApplicationShutdown {
  private readonly logger = new Logger(ClusterJoinService.name);
  private client: ClientProxy | null = null;
  private stopped = false;

  constructor(
    @Inject(NODE_OPTIONS) private readonly options: NodeOptions,
    private readonly replica: ReplicaService,
  ) {}

  /** Called once the node's ports are open, so the leader can reach us right away. */
  start(): void {
    if (this.options.join === null || this.replica.isMember()) return;
    const address = parseHostPort(this.options.join);
    if (!address) throw new Error(`malformed --join ${this.options.join}`);
    this.client = ClientProxyFactory.create({ transport: Transport.TCP, options: address });
    void this.joinUntilMember();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.client?.close();
  }

  private async joinUntilMember(): Promise<void> {
    while (!this.stopped && !this.replica.isMember()) {
      const answer = await this.askToJoin();
      if (answer) {
        this.logger.log(`joined the cluster through ${this.options.join}; leader ${answer.leaderId}`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, JOIN_RETRY_MS));
    }
  }

  private async askToJoin(): Promise<JoinClusterResponse | null> {
    const request: JoinClusterRequest = this.replica.self();
    const reply$ = this.client!.send<JoinClusterResponse>(MessagePatterns.join, request).pipe(
      timeout(this.options.requestTimeoutMs),
    );
    return firstValueFrom(reply$).catch((error: unknown) => {
      this.logger.warn(`join through ${this.options.join} failed: ${describeError(error)}; retrying`);
      return null;
    });
  }
}
