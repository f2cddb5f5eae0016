import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { RpcPeer, type RpcResult } from '../common/rpc-peer';
import {
  TwoPcPatterns,
  type DecideReply,
  type Decision,
  type FenceReply,
  type PrepareReply,
  type PrepareRequest,
  type ReplicaStatus,
} from '../common/twopc-messages';
import { COORDINATOR_OPTIONS, type CoordinatorOptions } from './coordinator-options';

const STATUS_TIMEOUT_MS = 1000;
const DECIDE_TIMEOUT_MS = 2000;

/** The coordinator's connections to the replicas, one request shape per protocol step. */
@Injectable()
export class ReplicaFleet implements OnApplicationShutdown {
  private readonly peers: Map<string, RpcPeer>;

  constructor(@Inject(COORDINATOR_OPTIONS) options: CoordinatorOptions) {
    this.peers = new Map([...options.replicas].map(([id, address]) => [id, new RpcPeer(id, address)]));
  }

  get ids(): string[] {
    return [...this.peers.keys()];
  }

  prepare(id: string, request: PrepareRequest, timeoutMs: number): Promise<RpcResult<PrepareReply>> {
    return this.peer(id).request<PrepareReply>(TwoPcPatterns.prepare, request, timeoutMs);
  }

  decide(id: string, txId: string, token: number, decision: Decision): Promise<RpcResult<DecideReply>> {
    return this.peer(id).request<DecideReply>(
      TwoPcPatterns.decide,
      { txId, token, decision },
      DECIDE_TIMEOUT_MS,
    );
  }

  fence(id: string, token: number): Promise<RpcResult<FenceReply>> {
    return this.peer(id).request<FenceReply>(TwoPcPatterns.fence, { token }, DECIDE_TIMEOUT_MS);
  }

  status(id: string): Promise<RpcResult<ReplicaStatus>> {
    return this.peer(id).request<ReplicaStatus>(TwoPcPatterns.status, {}, STATUS_TIMEOUT_MS);
  }

  onApplicationShutdown(): void {
    for (const peer of this.peers.values()) peer.close();
  }

  private peer(id: string): RpcPeer {
    const peer = this.peers.get(id);
    if (peer === undefined) throw new Error(`unknown replica ${id}`);
    return peer;
  }
}
