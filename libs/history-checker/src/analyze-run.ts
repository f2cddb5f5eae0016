import { checkHistory } from './check-history';
import type { HistoryVerdict } from './check-history';
import { followerReadsAgainstGrants, followerReadsAgainstLog, type CommittedChange } from './follower-reads';
import type { HistoryRecord } from './history-record';
import { splitHistory } from './history-record';
import { convergenceViolations, leaderViolations, lostChangeViolations, tokenViolations } from './invariants';
import type { FinalLockState, NodeSnapshot, RoleObservation } from './invariants';

/** Everything recorded about one run: the client history, the final reads, and what the nodes said. */
export interface RunEvidence {
  records: readonly HistoryRecord[];
  /** the last successful linearizable check of each key, after the heal */
  finals: readonly FinalLockState[];
  roles: readonly RoleObservation[];
  /** after the heal; empty when convergence was not checked */
  snapshots: readonly NodeSnapshot[];
  /**
   * The committed log's lock changes and its commit index, read from the nodes' disks.
   * With it, each plain check is compared with the log's state at the index it was served
   * at; without it (a compacted log), only with the grants clients were told of.
   */
  committedLog?: { changes: readonly CommittedChange[]; commitIndex: number } | null;
}

export interface RunAnalysis {
  linearizability: HistoryVerdict;
  /** every anomaly by invariant; all must be empty */
  anomalies: {
    linearizability: string[];
    tokens: string[];
    lostChanges: string[];
    followerReads: string[];
    leaders: string[];
    convergence: string[];
    /** checks of a scenario's own (e.g. a fenced resource's), added by the caller */
    fencing?: string[];
  };
  anomalyCount: number;
  operations: { total: number; byKindAndOutcome: Record<string, number> };
}

function countByKindAndOutcome(records: readonly HistoryRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of records) {
    const kind = r.f === 'check' ? (r.linearizable ? 'check-linearizable' : 'check-local') : r.f;
    const refused = r.type === 'ok' && (r.result?.acquired === false || r.result?.released === false);
    const outcome = refused ? 'refused' : r.type;
    counts[`${kind}.${outcome}`] = (counts[`${kind}.${outcome}`] ?? 0) + 1;
  }
  return counts;
}

/** Runs every checker over one run's evidence. */
export function analyzeRun(evidence: RunEvidence, maxStepsPerKey?: number): RunAnalysis {
  const split = splitHistory(evidence.records);
  const linearizability = checkHistory(split.operations, maxStepsPerKey);
  const grants = split.operations.flatMap((op) =>
    op.kind === 'preempt' && op.outcome.type === 'granted'
      ? [{ key: op.key, client: op.client, token: op.outcome.token }]
      : [],
  );
  const anomalies = {
    linearizability: linearizability.keys
      .filter((k) => k.verdict !== 'ok')
      .map((k) => `${k.key}: ${k.verdict} (${k.operations} operations)`),
    tokens: tokenViolations(split.operations),
    lostChanges: lostChangeViolations(split.operations, evidence.finals),
    followerReads: evidence.committedLog
      ? followerReadsAgainstLog(
          split.followerReads,
          evidence.committedLog.changes,
          evidence.committedLog.commitIndex,
        )
      : followerReadsAgainstGrants(split.followerReads, grants),
    leaders: leaderViolations(evidence.roles),
    convergence: convergenceViolations(evidence.snapshots),
  };
  const anomalyCount = Object.values(anomalies).reduce((sum, list) => sum + list.length, 0);
  return {
    linearizability,
    anomalies,
    anomalyCount,
    operations: { total: evidence.records.length, byKindAndOutcome: countByKindAndOutcome(evidence.records) },
  };
}
