import { checkPartition } from './linearizability';
import type { Verdict } from './linearizability';
import type { LockOperation } from './operation';

export interface KeyVerdict {
  key: string;
  verdict: Verdict;
  operations: number;
  steps: number;
}

/** Why a history is not linearizable: the first lock (in key order) whose operations are not. */
export interface IllegalKey {
  key: string;
  /** the longest order of that lock's operations the search could justify */
  longestPrefix: LockOperation[];
  /** the operation that could not follow that prefix */
  stuckAt: LockOperation;
  /** operations whose intervals overlap stuckAt's: the candidates for the blame */
  concurrent: LockOperation[];
}

export interface HistoryVerdict {
  /** 'illegal' if any lock is; else 'unknown' if any search ran out of steps; else 'ok' */
  verdict: Verdict;
  keys: KeyVerdict[];
  firstIllegal: IllegalKey | null;
}

/** Groups operations by lock: linearizability is local (P-compositional), so each lock is checked alone. */
export function partitionByKey(ops: readonly LockOperation[]): Map<string, LockOperation[]> {
  const byKey = new Map<string, LockOperation[]>();
  for (const op of ops) {
    const list = byKey.get(op.key);
    if (list) list.push(op);
    else byKey.set(op.key, [op]);
  }
  return byKey;
}

/** Checks every lock's operations for linearizability under the lock model. */
export function checkHistory(ops: readonly LockOperation[], maxStepsPerKey?: number): HistoryVerdict {
  const keys: KeyVerdict[] = [];
  let firstIllegal: IllegalKey | null = null;
  const partitions = [...partitionByKey(ops)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [key, list] of partitions) {
    const result = checkPartition(list, maxStepsPerKey);
    keys.push({ key, verdict: result.verdict, operations: list.length, steps: result.steps });
    if (result.verdict === 'illegal' && firstIllegal === null && result.stuckAt !== null) {
      const stuck = result.stuckAt;
      const concurrent = list.filter((op) => op !== stuck && op.call <= stuck.ret && stuck.call <= op.ret);
      firstIllegal = { key, longestPrefix: result.longestPrefix, stuckAt: stuck, concurrent };
    }
  }
  const verdict: Verdict = keys.some((k) => k.verdict === 'illegal')
    ? 'illegal'
    : keys.some((k) => k.verdict === 'unknown')
      ? 'unknown'
      : 'ok';
  return { verdict, keys, firstIllegal };
}

/** One line per operation, for reports: `c1 preempt -> granted 7 [120, 135]`. */
export function describeOperation(op: LockOperation): string {
  const span = `[${op.call}, ${op.ret === Infinity ? '?' : op.ret}]`;
  switch (op.kind) {
    case 'preempt':
    case 'release': {
      const { type, ...rest } = op.outcome;
      const detail = Object.values(rest).join(' ');
      return `${op.id} ${op.client} ${op.kind} -> ${type}${detail ? ' ' + detail : ''} ${span}`;
    }
    case 'check':
      return `${op.id} check -> ${op.owner ?? 'free'}${op.owner === null ? '' : ' ' + String(op.token)} ${span}`;
    case 'expire':
      return `${op.id} expire ${op.client} ${op.token} ${span}`;
  }
}
