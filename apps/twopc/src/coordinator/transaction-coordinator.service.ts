import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { filter, type Subscription } from 'rxjs';
import type { RpcResult } from '../common/rpc-peer';
import { DurableLog } from '../common/durable-log';
import { pauseAt } from '../common/test-hooks';
import type { Decision, PrepareReply, PrepareRequest } from '../common/twopc-messages';
import { CoordinatorLeadership } from './coordinator-leadership.service';
import { COORDINATOR_OPTIONS, type CoordinatorOptions } from './coordinator-options';
import { isCoordinatorRecord, type CoordinatorRecord } from './coordinator-record';
import { ReplicaFleet } from './replica-fleet';
import { ReplicaLocksWatcher } from './replica-locks.watcher';
import { TransactionLedger } from './transaction-ledger';
import { decide, type VoteRound } from './vote-round';
import type { WriteOutcome } from './write-outcome';

const REDELIVER_MS = 500;

interface Told {
  acked: number;
  refusedBy: { id: string; highestToken: number } | null;
}
const FENCE_RETRY_MS = 300;

/**
 * Two-phase commit over the replicas (Gray, "Notes on Data Base Operating Systems", 1978;
 * Bernstein, Hadzilacos and Goodman, ch. 7): begin (logged), prepare, decide (logged, fsync,
 * before anyone hears it), tell, done. One transaction at a time, in the order received.
 */
@Injectable()
export class TransactionCoordinator implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Coordinator');
  private readonly logPath: string;
  private log: DurableLog | null = null;
  private ledger = new TransactionLedger();
  /** the token under which recovery finished: only then may this process decide */
  private recoveredToken: number | null = null;
  private readonly acks = new Map<string, Set<string>>();
  private chain: Promise<unknown> = Promise.resolve();
  private busy = false;
  private timer: NodeJS.Timeout | null = null;
  private activation: Subscription | null = null;

  constructor(
    @Inject(COORDINATOR_OPTIONS) private readonly options: CoordinatorOptions,
    private readonly leadership: CoordinatorLeadership,
    private readonly fleet: ReplicaFleet,
    private readonly replicaLocks: ReplicaLocksWatcher,
  ) {
    this.logPath = join(options.logDir, 'decisions.log');
  }

  onModuleInit(): void {
    this.log = DurableLog.openShared(this.logPath);
    this.ledger = this.readLedger();
  }

  start(): void {
    this.activation = this.leadership.activated.subscribe(
      (token) => void this.serial(() => this.recover(token)),
    );
    this.timer = setInterval(() => {
      if (!this.busy && this.readyToken() !== null) void this.serial(() => this.redeliver());
    }, REDELIVER_MS);
  }

  onApplicationShutdown(): void {
    this.activation?.unsubscribe();
    if (this.timer !== null) clearInterval(this.timer);
    this.log?.close();
  }

  /** The fencing token, when this process is the active coordinator and has recovered. */
  readyToken(): number | null {
    const token = this.leadership.token;
    return token !== null && token === this.recoveredToken ? token : null;
  }

  /** The decision log as this process knows it; a standby reads what the active one wrote. */
  currentLedger(): TransactionLedger {
    return this.readyToken() === null ? this.readLedger() : this.ledger;
  }

  write(value: string, expectedVersion: number | undefined): Promise<WriteOutcome> {
    return this.serial(() => this.runTransaction(value, expectedVersion));
  }

  /**
   * For a replica in doubt. A transaction this active, recovered coordinator has no record
   * of cannot have been prepared under its token or decided by a predecessor, so it can be
   * aborted safely (presumed abort). Null while this process may not answer.
   */
  resolve(txId: string): { decision: Decision | null; fencingToken: number } | null {
    const token = this.readyToken();
    if (token === null) return null;
    const entry = this.ledger.get(txId);
    if (entry?.decision) return { decision: entry.decision.decision, fencingToken: token };
    if (entry?.begin) return { decision: null, fencingToken: token };
    const reason = 'presumed abort: the coordinator has no record of this transaction';
    this.append({
      t: 'decision',
      txId,
      token,
      decision: 'abort',
      reason,
      votes: {},
      voteReasons: {},
      at: Date.now(),
    });
    return { decision: 'abort', fencingToken: token };
  }

  private async runTransaction(value: string, expectedVersion: number | undefined): Promise<WriteOutcome> {
    const token = this.readyToken();
    if (token === null) return { kind: 'unavailable', reason: this.whyNotReady() };
    const missing = this.replicaLocks.missing();
    if (missing.length > 0) return { kind: 'unavailable', reason: `not connected: ${missing.join(', ')}` };
    await this.redeliver();
    const txId = `tx-${token}-${this.ledger.begunUnder(token) + 1}`;
    const base = this.ledger.base;
    const request: PrepareRequest = { txId, token, value, version: base.version + 1, base };
    if (expectedVersion !== undefined) request.expectedVersion = expectedVersion;
    const { version } = request;
    const at = Date.now();
    this.append({
      t: 'begin',
      txId,
      token,
      coordinatorId: this.options.id,
      value,
      version,
      expectedVersion: expectedVersion ?? null,
      base,
      at,
    });
    const round = await this.collectVotes(request);
    pauseAt('votes-collected', txId);
    if (round.refusedBy !== null) return this.fenced(txId, round.refusedBy.id, round.refusedBy.highestToken);
    const { decision, reason } = decide(round, this.fleet.ids);
    this.append({
      t: 'decision',
      txId,
      token,
      decision,
      reason,
      votes: round.votes,
      voteReasons: round.reasons,
      at: Date.now(),
    });
    pauseAt('decision-durable', txId);
    this.logger.log(`${txId}: ${decision}${reason ? ` (${reason})` : ''}`);
    const told = await this.tell(txId, token, decision);
    if (told.refusedBy !== null) return this.fenced(txId, told.refusedBy.id, told.refusedBy.highestToken);
    if (told.acked === 0)
      return {
        kind: 'unavailable',
        txId,
        reason: `${decision} is recorded, but no replica has acknowledged it yet`,
      };
    if (decision === 'commit') return { kind: 'committed', txId, version };
    return { kind: 'aborted', txId, reason: reason ?? decision, votes: round.votes };
  }

  /** Every replica's vote; a replica whose lock is released or expires meanwhile counts as not voting. */
  private async collectVotes(request: PrepareRequest): Promise<VoteRound> {
    const round: VoteRound = { votes: {}, reasons: {}, refusedBy: null };
    await Promise.all(
      this.fleet.ids.map(async (id) => {
        let subscription: Subscription | null = null;
        const gone = new Promise<RpcResult<PrepareReply>>((resolve) => {
          subscription = this.replicaLocks.disconnected
            .pipe(filter((which) => which === id))
            .subscribe(() =>
              resolve({ ok: false, reason: 'disconnected: its membership lock was released or expired' }),
            );
        });
        const result = await Promise.race([
          this.fleet.prepare(id, request, this.options.voteTimeoutMs),
          gone,
        ]);
        (subscription as Subscription | null)?.unsubscribe();
        if (!result.ok) {
          round.votes[id] = 'timeout';
          round.reasons[id] = result.reason;
        } else if (result.value.kind === 'refused') {
          round.refusedBy = { id, highestToken: result.value.highestToken };
        } else {
          round.votes[id] = result.value.vote;
          if (result.value.reason) round.reasons[id] = result.value.reason;
        }
      }),
    );
    // In replica order, whatever order the answers came in.
    const votes = round.votes;
    round.votes = Object.fromEntries(
      this.fleet.ids.flatMap((id) => {
        const vote = votes[id];
        return vote === undefined ? [] : [[id, vote] as const];
      }),
    );
    return round;
  }

  /** Sends the decision to every replica that has not acknowledged it; `done` once all have. */
  private async tell(txId: string, token: number, decision: Decision): Promise<Told> {
    const acked = this.acks.get(txId) ?? new Set<string>();
    this.acks.set(txId, acked);
    const told: Told = { acked: 0, refusedBy: null };
    const pending = this.fleet.ids.filter((id) => !acked.has(id));
    await Promise.all(
      pending.map(async (id) => {
        const result = await this.fleet.decide(id, txId, token, decision);
        if (!result.ok) return;
        if (result.value.kind === 'applied') acked.add(id);
        else told.refusedBy = { id, highestToken: result.value.highestToken };
      }),
    );
    told.acked = acked.size;
    if (acked.size === this.fleet.ids.length) {
      this.append({ t: 'done', txId, token, at: Date.now() });
      this.acks.delete(txId);
    }
    return told;
  }

  /** Tells decided transactions to the replicas that have not acknowledged them. */
  private async redeliver(): Promise<void> {
    for (const txId of this.ledger.unfinished()) {
      const token = this.readyToken();
      const decision = this.ledger.get(txId)?.decision?.decision;
      if (token === null || decision === undefined) return;
      const told = await this.tell(txId, token, decision);
      if (told.refusedBy !== null)
        return void this.fenced(txId, told.refusedBy.id, told.refusedBy.highestToken);
    }
  }

  /**
   * Becoming active: first fence every replica with the new token, so no predecessor can
   * get another message accepted; then read the decision log, which is now final for every
   * transaction a predecessor could have prepared; abort what was never decided.
   */
  private async recover(token: number): Promise<void> {
    this.logger.log(`recovering under fencing token ${token}: fencing every replica`);
    const fenced = new Set<string>();
    while (fenced.size < this.fleet.ids.length) {
      if (this.leadership.token !== token) return;
      for (const id of this.fleet.ids.filter((id) => !fenced.has(id))) {
        const result = await this.fleet.fence(id, token);
        if (result.ok && result.value.kind === 'refused')
          return void this.fenced('recovery', id, result.value.highestToken);
        if (result.ok) fenced.add(id);
      }
      if (fenced.size < this.fleet.ids.length) await sleep(FENCE_RETRY_MS);
    }
    this.ledger = this.readLedger();
    this.acks.clear();
    for (const txId of this.ledger.undecided()) {
      const reason = 'no decision was recorded before the coordinator changed (presumed abort)';
      this.append({
        t: 'decision',
        txId,
        token,
        decision: 'abort',
        reason,
        votes: {},
        voteReasons: {},
        at: Date.now(),
      });
      this.logger.log(`${txId}: abort (${reason})`);
    }
    this.recoveredToken = token;
    const { version } = this.ledger.base;
    this.logger.log(
      `recovered: register at version ${version}, ${this.ledger.unfinished().length} decision(s) to deliver`,
    );
    await this.redeliver();
  }

  private fenced(txId: string, replicaId: string, highestToken: number): WriteOutcome {
    const reason = `replica ${replicaId} refused fencing token ${this.leadership.token ?? '?'}: a coordinator with token ${highestToken} took over`;
    this.logger.warn(`${txId}: ${reason}`);
    this.leadership.standDown(reason);
    return { kind: 'unavailable', txId, reason };
  }

  private whyNotReady(): string {
    if (this.leadership.token === null)
      return 'this coordinator is a standby (it does not hold twopc-coordinator)';
    return 'this coordinator is recovering (fencing replicas, reading the decision log)';
  }

  private append(record: CoordinatorRecord): void {
    if (this.log === null) throw new Error('the decision log is not open yet');
    this.log.append(record);
    this.ledger.add(record);
  }

  private readLedger(): TransactionLedger {
    return TransactionLedger.from(DurableLog.readShared(this.logPath).filter(isCoordinatorRecord));
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.chain.then(async () => {
      this.busy = true;
      try {
        return await task();
      } finally {
        this.busy = false;
      }
    });
    this.chain = run.catch(() => undefined);
    return run;
  }
}
