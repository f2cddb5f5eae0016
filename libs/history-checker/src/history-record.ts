import type { FollowerRead } from './follower-reads';
import type { LockOperation } from './operation';

/**
 * One line of a history file (JSONL): an operation with both its times, in milliseconds
 * of the recorder's monotonic clock. `type` follows Jepsen: `ok` answered, `fail` surely
 * had no effect (a validation error, a refused connection), `info` unknown (a timeout, a
 * reset, a 5xx after the request may have been proposed).
 */
export interface HistoryRecord {
  opId: string;
  client: string;
  key: string;
  f: 'preempt' | 'release' | 'check';
  /** checks only: served through the leader after a quorum round */
  linearizable?: boolean;
  /** the node the request went to */
  node: string;
  tInvoke: number;
  tComplete: number;
  type: 'ok' | 'fail' | 'info';
  result?: HistoryResult;
}

export interface HistoryResult {
  acquired?: boolean;
  released?: boolean;
  reason?: 'not_held' | 'not_owner';
  owner?: string | null;
  fencingToken?: number | null;
  appliedIndex?: number;
  servedBy?: string;
  status?: number;
  error?: string;
}

export interface SplitHistory {
  /** preempts, releases and linearizable checks, for the linearizability search */
  operations: LockOperation[];
  /** plain checks, for the stale-but-monotonic rules */
  followerReads: FollowerRead[];
  /** records that surely had no effect (and failed reads), left out */
  dropped: number;
}

function asOperation(r: HistoryRecord): LockOperation | null {
  const base = { id: r.opId, key: r.key, call: r.tInvoke, ret: r.type === 'info' ? Infinity : r.tComplete };
  const res = r.result ?? {};
  if (r.f === 'preempt') {
    if (r.type === 'info')
      return { ...base, kind: 'preempt', client: r.client, outcome: { type: 'unknown' } };
    const outcome = res.acquired
      ? { type: 'granted' as const, token: res.fencingToken ?? NaN }
      : { type: 'held' as const, owner: res.owner ?? undefined, token: res.fencingToken ?? undefined };
    return { ...base, kind: 'preempt', client: r.client, outcome };
  }
  if (r.f === 'release') {
    if (r.type === 'info')
      return { ...base, kind: 'release', client: r.client, outcome: { type: 'unknown' } };
    const outcome = res.released
      ? { type: 'released' as const }
      : { type: 'refused' as const, reason: res.reason };
    return { ...base, kind: 'release', client: r.client, outcome };
  }
  return { ...base, kind: 'check', owner: res.owner ?? null, token: res.fencingToken ?? null };
}

/** Splits a history into what each checker needs; failed operations and unanswered reads had no effect. */
export function splitHistory(records: readonly HistoryRecord[]): SplitHistory {
  const split: SplitHistory = { operations: [], followerReads: [], dropped: 0 };
  for (const r of records) {
    const isRead = r.f === 'check';
    if (r.type === 'fail' || (isRead && r.type === 'info')) {
      split.dropped++;
    } else if (isRead && r.linearizable !== true) {
      const res = r.result ?? {};
      split.followerReads.push({
        id: r.opId,
        key: r.key,
        node: res.servedBy ?? r.node,
        owner: res.owner ?? null,
        token: res.fencingToken ?? null,
        appliedIndex: res.appliedIndex ?? 0,
        call: r.tInvoke,
        ret: r.tComplete,
      });
    } else {
      const op = asOperation(r);
      if (op !== null) split.operations.push(op);
    }
  }
  return split;
}

/** Parses a JSONL history; blank lines are skipped, a malformed line throws naming its number. */
export function parseHistory(text: string): HistoryRecord[] {
  const records: HistoryRecord[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      records.push(JSON.parse(line) as HistoryRecord);
    } catch {
      throw new Error(`history line ${i + 1} is not JSON: ${line.slice(0, 80)}`);
    }
  });
  return records;
}
