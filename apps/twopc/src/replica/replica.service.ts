import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { join } from 'node:path';
import { DurableLog } from '../common/durable-log';
import { pauseAt } from '../common/test-hooks';
import type {
  DecideReply,
  DecideRequest,
  Decision,
  FenceReply,
  OutcomeReply,
  PrepareReply,
  PrepareRequest,
  ReplicaStatus,
} from '../common/twopc-messages';
import { isReplicaRecord } from './replica-record';
import type { ReplicaRecord } from './replica-record';
import { REPLICA_OPTIONS, type ReplicaOptions } from './replica-options';
import { ReplicaState, type Step } from './replica-state';

/**
 * One replica of the register: its state, its write-ahead log, and the order that makes
 * both safe. Every answer is sent only after the records it depends on are fsync'd.
 */
@Injectable()
export class ReplicaService implements OnModuleInit {
  private readonly logger = new Logger('Replica');
  private readonly state = new ReplicaState();
  private log: DurableLog | null = null;
  private refusedCount = 0;
  private lastRefusal: ReplicaStatus['lastRefusal'] = null;

  constructor(@Inject(REPLICA_OPTIONS) private readonly options: ReplicaOptions) {}

  onModuleInit(): void {
    const path = join(this.options.dataDir, 'replica.wal');
    const opened = DurableLog.openExclusive(path);
    for (const record of opened.records) {
      if (!isReplicaRecord(record))
        throw new Error(`${path}: a record of unknown type: ${JSON.stringify(record)}`);
      this.state.apply(record);
    }
    this.log = opened.log;
    const tail = opened.cutBytes > 0 ? `, cut a torn tail of ${opened.cutBytes} bytes` : '';
    const doubt = this.state.prepared ? `, in doubt on ${this.state.prepared.txId}` : '';
    this.logger.log(
      `${this.options.id} recovered ${opened.records.length} records: version ${this.state.version}${doubt}${tail}`,
    );
  }

  get inDoubt(): { txId: string; token: number } | null {
    const prepared = this.state.prepared;
    return prepared === null ? null : { txId: prepared.txId, token: prepared.token };
  }

  get highestToken(): number {
    return this.state.highestToken;
  }

  prepare(request: PrepareRequest): PrepareReply {
    pauseAt('prepare-received', request.txId);
    const drawsNo = Math.random() < this.options.abortProbability;
    const reply = this.run('prepare', request.token, this.state.onPrepare(request, drawsNo));
    if (reply.kind === 'vote' && reply.vote === 'yes') pauseAt('prepared-durable', request.txId);
    if (reply.kind === 'vote')
      this.logger.log(`${request.txId}: vote ${reply.vote}${reply.reason ? ` (${reply.reason})` : ''}`);
    return reply;
  }

  decide(request: DecideRequest): DecideReply {
    pauseAt('decision-received', request.txId);
    const reply = this.run('decide', request.token, this.state.onDecide(request));
    if (reply.kind === 'applied')
      this.logger.log(`${request.txId}: ${request.decision}, now version ${reply.version}`);
    return reply;
  }

  fence(token: number): FenceReply {
    const reply = this.run('fence', token, this.state.onFence(token));
    return reply.kind === 'fenced' ? { kind: 'fenced', ...this.status() } : reply;
  }

  /** A decision learnt while in doubt (from a coordinator's answer or a peer). */
  resolve(txId: string, decision: Decision, token: number, source: string): void {
    const records = this.state.resolve(txId, decision, token);
    if (records.length === 0) return;
    this.persist(records);
    this.logger.log(`${txId}: ${decision}, learnt from ${source}; now version ${this.state.version}`);
  }

  outcome(txId: string): OutcomeReply {
    return this.state.outcome(txId);
  }

  status(): ReplicaStatus {
    const prepared = this.state.prepared;
    return {
      id: this.options.id,
      ...this.state.register,
      state: prepared === null ? 'idle' : 'prepared',
      preparedTxId: prepared?.txId ?? null,
      highestToken: this.state.highestToken,
      refusedCount: this.refusedCount,
      lastRefusal: this.lastRefusal,
    };
  }

  private run<R extends { kind: string }>(pattern: string, token: number, step: Step<R>): R {
    if (step.reply.kind === 'refused') {
      this.refusedCount++;
      this.lastRefusal = { pattern, token, highestToken: this.state.highestToken };
      this.logger.warn(
        `refused ${pattern} with stale fencing token ${token} (highest seen ${this.state.highestToken})`,
      );
    }
    this.persist(step.records);
    return step.reply;
  }

  private persist(records: ReplicaRecord[]): void {
    if (this.log === null) throw new Error('the replica log is not open yet');
    this.log.append(...records);
    for (const record of records) this.state.apply(record);
  }
}
