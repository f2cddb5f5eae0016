import type { RegisterValue } from '../common/twopc-messages';
import type { CoordinatorRecord } from './coordinator-record';

type Begin = Extract<CoordinatorRecord, { t: 'begin' }>;
type DecisionRecord = Extract<CoordinatorRecord, { t: 'decision' }>;

export interface LedgerEntry {
  begin: Begin | null;
  decision: DecisionRecord | null;
  /** when every replica had acknowledged the decision (ms since the epoch) */
  doneAt: number | null;
}

/**
 * The transactions as the decision log tells them (pure: records in, answers out). Two
 * decisions for one transaction can only come from a coordinator that was superseded and
 * wrote after its successor had fenced every replica; the successor's, under the higher
 * token, is the one the replicas accepted, so the highest token wins.
 */
export class TransactionLedger {
  private readonly entries = new Map<string, LedgerEntry>();
  private committed: RegisterValue = { value: null, version: 0 };

  static from(records: readonly CoordinatorRecord[]): TransactionLedger {
    const ledger = new TransactionLedger();
    for (const record of records) ledger.add(record);
    return ledger;
  }

  add(record: CoordinatorRecord): void {
    const entry = this.entry(record.txId);
    switch (record.t) {
      case 'begin':
        entry.begin ??= record;
        break;
      case 'decision':
        if (entry.decision === null || record.token > entry.decision.token) entry.decision = record;
        break;
      case 'done':
        entry.doneAt ??= record.at;
        break;
    }
    this.recomputeCommitted(entry);
  }

  get(txId: string): LedgerEntry | undefined {
    return this.entries.get(txId);
  }

  /** The register as last committed: what GET /register answers and what a new write builds on. */
  get base(): RegisterValue {
    return this.committed;
  }

  /** Begun, never decided: a successor decides these abort (presumed abort). */
  undecided(): string[] {
    return [...this.entries].filter(([, e]) => e.begin !== null && e.decision === null).map(([txId]) => txId);
  }

  /** Decided, but not every replica has acknowledged: to be told again. */
  unfinished(): string[] {
    return [...this.entries]
      .filter(([, e]) => e.decision !== null && e.doneAt === null)
      .map(([txId]) => txId);
  }

  /** How many transactions a token began: the next sequence number of its coordinator. */
  begunUnder(token: number): number {
    return [...this.entries.values()].filter((e) => e.begin?.token === token).length;
  }

  recent(limit: number): string[] {
    return [...this.entries.keys()].slice(-limit);
  }

  private entry(txId: string): LedgerEntry {
    let entry = this.entries.get(txId);
    if (entry === undefined) {
      entry = { begin: null, decision: null, doneAt: null };
      this.entries.set(txId, entry);
    }
    return entry;
  }

  private recomputeCommitted(entry: LedgerEntry): void {
    const { begin, decision } = entry;
    if (begin === null || decision?.decision !== 'commit') return;
    if (begin.version > this.committed.version)
      this.committed = { value: begin.value, version: begin.version };
  }
}
