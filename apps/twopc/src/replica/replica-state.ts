import type {
  DecideReply,
  DecideRequest,
  Decision,
  OutcomeReply,
  PrepareReply,
  PrepareRequest,
  RegisterValue,
  Vote,
} from '../common/twopc-messages';
import type { ReplicaRecord } from './replica-record';

/** Decisions remembered for peers and duplicates; older ones are forgotten first. */
const REMEMBERED_OUTCOMES = 10_000;

export interface PreparedWrite {
  txId: string;
  token: number;
  value: string;
  version: number;
}

/** What to persist (fsync) before sending the reply, then apply. */
export interface Step<R> {
  records: ReplicaRecord[];
  reply: R;
}

/**
 * The register replica as a pure state machine: messages in, records to persist and a reply
 * out. The same `apply` replays the log after a restart, so the state after recovery is
 * exactly the state that was last acknowledged.
 */
export class ReplicaState {
  value: string | null = null;
  version = 0;
  highestToken = 0;
  prepared: PreparedWrite | null = null;
  private readonly outcomes = new Map<string, { decision: Decision | null; vote: Vote | null }>();

  get register(): RegisterValue {
    return { value: this.value, version: this.version };
  }

  apply(record: ReplicaRecord): void {
    switch (record.t) {
      case 'fence':
        this.highestToken = Math.max(this.highestToken, record.token);
        return;
      case 'prepared':
        this.highestToken = Math.max(this.highestToken, record.token);
        this.prepared = {
          txId: record.txId,
          token: record.token,
          value: record.value,
          version: record.version,
        };
        this.remember(record.txId, { decision: null, vote: 'yes' });
        return;
      case 'voted-no':
        this.remember(record.txId, {
          decision: this.outcomes.get(record.txId)?.decision ?? null,
          vote: 'no',
        });
        return;
      case 'install':
        this.value = record.value;
        this.version = record.version;
        return;
      case 'decided':
        this.applyDecision(record.txId, record.decision);
        return;
    }
  }

  /** `drawsNo`: this replica's random no vote (the abort probability), drawn by the caller. */
  onPrepare(request: PrepareRequest, drawsNo: boolean): Step<PrepareReply> {
    const refused = this.refuse(request.token);
    if (refused) return refused;
    const records: ReplicaRecord[] = this.fenceIfNewer(request.token);
    const no = (reason: string): Step<PrepareReply> => ({
      records: [...records, { t: 'voted-no', txId: request.txId }],
      reply: { kind: 'vote', vote: 'no', reason },
    });
    const known = this.outcomes.get(request.txId);
    if (known !== undefined) {
      // A repeated prepare gets the first answer again; nothing new to persist.
      const vote = known.vote === 'yes' && known.decision === null ? 'yes' : 'no';
      const reason = `already ${known.decision ?? `voted ${known.vote ?? 'no'}`} on ${request.txId}`;
      return { records, reply: vote === 'yes' ? { kind: 'vote', vote } : { kind: 'vote', vote, reason } };
    }
    if (this.prepared !== null) return no(`in doubt on ${this.prepared.txId}`);
    let current = this.version;
    if (current < request.base.version) {
      records.push({ t: 'install', txId: request.txId, ...request.base });
      current = request.base.version;
    }
    if (current !== request.version - 1)
      return no(`at version ${current}, the write expects ${request.version - 1}`);
    if (request.expectedVersion !== undefined && request.expectedVersion !== current)
      return no(`expectedVersion ${request.expectedVersion} but the register is at ${current}`);
    if (drawsNo) return no('at random');
    const { txId, token, value, version } = request;
    records.push({ t: 'prepared', txId, token, value, version });
    return { records, reply: { kind: 'vote', vote: 'yes' } };
  }

  /** Applies a decision idempotently: a repeated or late one changes nothing. */
  onDecide(request: DecideRequest): Step<DecideReply> {
    const refused = this.refuse(request.token);
    if (refused) return refused;
    const records: ReplicaRecord[] = this.fenceIfNewer(request.token);
    if (this.outcomes.get(request.txId)?.decision == null) {
      records.push({ t: 'decided', txId: request.txId, decision: request.decision });
    }
    return { records, reply: { kind: 'applied', ...this.registerAfter(records) } };
  }

  onFence(token: number): Step<{ kind: 'fenced' } | { kind: 'refused'; highestToken: number }> {
    const refused = this.refuse(token);
    if (refused) return refused;
    return { records: this.fenceIfNewer(token), reply: { kind: 'fenced' } };
  }

  /** A decision learnt while in doubt, from the coordinator or a peer (no token of its own). */
  resolve(txId: string, decision: Decision, token: number): ReplicaRecord[] {
    if (this.prepared?.txId !== txId) return [];
    return [...this.fenceIfNewer(token), { t: 'decided', txId, decision }];
  }

  outcome(txId: string): OutcomeReply {
    const known = this.outcomes.get(txId);
    return { txId, decision: known?.decision ?? null, vote: known?.vote ?? null };
  }

  private applyDecision(txId: string, decision: Decision): void {
    const prepared = this.prepared;
    if (prepared?.txId === txId) {
      if (decision === 'commit' && prepared.version > this.version) {
        this.value = prepared.value;
        this.version = prepared.version;
      }
      this.prepared = null;
    }
    const known = this.outcomes.get(txId);
    this.remember(txId, { decision, vote: known?.vote ?? null });
  }

  private registerAfter(records: ReplicaRecord[]): RegisterValue {
    const decided = records.find((record) => record.t === 'decided');
    if (decided?.decision === 'commit' && this.prepared?.txId === decided.txId) {
      return { value: this.prepared.value, version: Math.max(this.version, this.prepared.version) };
    }
    return this.register;
  }

  private refuse(token: number): Step<{ kind: 'refused'; highestToken: number }> | null {
    if (token >= this.highestToken) return null;
    return { records: [], reply: { kind: 'refused', highestToken: this.highestToken } };
  }

  private fenceIfNewer(token: number): ReplicaRecord[] {
    return token > this.highestToken ? [{ t: 'fence', token }] : [];
  }

  private remember(txId: string, outcome: { decision: Decision | null; vote: Vote | null }): void {
    this.outcomes.delete(txId);
    this.outcomes.set(txId, outcome);
    if (this.outcomes.size > REMEMBERED_OUTCOMES) {
      const oldest = this.outcomes.keys().next();
      if (!oldest.done) this.outcomes.delete(oldest.value);
    }
  }
}
