import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { RpcPeer } from '../common/rpc-peer';
import { TwoPcPatterns, type Decision, type OutcomeReply } from '../common/twopc-messages';
import { REPLICA_OPTIONS, type ReplicaOptions } from './replica-options';
import { ReplicaService } from './replica.service';

const ASK_TIMEOUT_MS = 1500;

/** What a coordinator answers on POST /transactions/{txId}/resolve. */
interface CoordinatorAnswer {
  decision: Decision | null;
  fencingToken: number;
}

/**
 * A replica that voted yes may not guess: it holds the write until it learns the decision.
 * When none has come for decisionTimeoutMs it asks the coordinators, and failing that the
 * other replicas (the cooperative termination protocol): one that knows the decision, or
 * voted no (so the transaction cannot commit), settles it. Otherwise it asks again later.
 */
@Injectable()
export class InDoubtResolver implements OnApplicationShutdown {
  private readonly logger = new Logger('InDoubt');
  private readonly peers: RpcPeer[];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(REPLICA_OPTIONS) private readonly options: ReplicaOptions,
    private readonly replica: ReplicaService,
  ) {
    this.peers = [...options.peers].map(([id, address]) => new RpcPeer(id, address));
  }

  /** Called after every message: arms the timer while this replica is in doubt. */
  watch(): void {
    if (this.timer !== null || this.replica.inDoubt === null) return;
    const txId = this.replica.inDoubt.txId;
    this.timer = setTimeout(() => void this.askAbout(txId), this.options.decisionTimeoutMs);
  }

  onApplicationShutdown(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    for (const peer of this.peers) peer.close();
  }

  private async askAbout(txId: string): Promise<void> {
    if (this.replica.inDoubt?.txId !== txId) {
      this.timer = null;
      return this.watch();
    }
    this.logger.log(`${txId}: no decision for ${this.options.decisionTimeoutMs} ms; asking`);
    const learnt = (await this.askCoordinators(txId)) ?? (await this.askPeers(txId));
    if (learnt !== null) this.replica.resolve(txId, learnt.decision, learnt.token, learnt.source);
    this.timer = null;
    this.watch();
  }

  private async askCoordinators(
    txId: string,
  ): Promise<{ decision: Decision; token: number; source: string } | null> {
    for (const url of this.options.coordinators) {
      const answer = await postJson<CoordinatorAnswer>(`${url}/transactions/${txId}/resolve`);
      // An answer from a coordinator older than the newest one seen could be stale.
      if (answer === null || answer.decision === null || answer.fencingToken < this.replica.highestToken)
        continue;
      return { decision: answer.decision, token: answer.fencingToken, source: `coordinator ${url}` };
    }
    return null;
  }

  private async askPeers(
    txId: string,
  ): Promise<{ decision: Decision; token: number; source: string } | null> {
    for (const peer of this.peers) {
      const answer = await peer.request<OutcomeReply>(TwoPcPatterns.outcome, { txId }, ASK_TIMEOUT_MS);
      if (!answer.ok) continue;
      const token = this.replica.highestToken;
      if (answer.value.decision !== null)
        return { decision: answer.value.decision, token, source: `replica ${peer.id}` };
      if (answer.value.vote === 'no')
        return { decision: 'abort', token, source: `replica ${peer.id} (voted no)` };
    }
    return null;
  }
}

/** A POST without a body; null when the coordinator cannot answer (down, standby, still deciding). */
async function postJson<T>(url: string): Promise<T | null> {
  const response = await fetch(url, { method: 'POST', signal: AbortSignal.timeout(ASK_TIMEOUT_MS) }).catch(
    () => null,
  );
  if (response === null || !response.ok) return null;
  return (await response.json().catch(() => null)) as T | null;
}
