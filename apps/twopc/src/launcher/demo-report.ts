import type { Decision, RecordedVote } from '../common/twopc-messages';

export interface ReplicaSnapshot {
  id: string;
  value: string | null;
  version: number;
  state: string;
}

export interface DemoTransaction {
  txId: string;
  value: string;
  votes: Record<string, RecordedVote>;
  voteReasons: Record<string, string>;
  decision: Decision;
  reason: string | null;
  after: ReplicaSnapshot[];
}

/** The JSON the demo writes with --json. */
export interface DemoReport {
  rounds: number;
  committed: number;
  aborted: number;
  replicas: { id: string; value: string | null; version: number }[];
  consistent: boolean;
  transactions: {
    txId: string;
    votes: Record<string, RecordedVote>;
    decision: Decision;
    reason: string | null;
  }[];
}

function show(value: string | null): string {
  return value === null ? 'null' : JSON.stringify(value);
}

/** One transaction of the transcript: votes, decision, and each replica's value after it. */
export function formatTransaction(round: number, tx: DemoTransaction): string {
  const votes = Object.entries(tx.votes)
    .map(
      ([id, vote]) =>
        `${id} ${vote}${tx.voteReasons[id] && vote !== 'yes' ? ` (${tx.voteReasons[id]})` : ''}`,
    )
    .join(', ');
  const after = tx.after.map(
    (r) => `${r.id}=${show(r.value)} v${r.version}${r.state === 'idle' ? '' : ` [${r.state}]`}`,
  );
  return [
    `#${round} ${tx.txId}  write ${show(tx.value)}`,
    `   votes:    ${votes}`,
    `   decision: ${tx.decision.toUpperCase()}${tx.reason ? ` (${tx.reason})` : ''}`,
    `   after:    ${after.join('  ')}`,
  ].join('\n');
}

/**
 * Consistent: every replica has the same value and version, the version counts the commits,
 * and the value is the last committed write.
 */
export function buildReport(transactions: DemoTransaction[], replicas: ReplicaSnapshot[]): DemoReport {
  const committed = transactions.filter((tx) => tx.decision === 'commit');
  const last = committed.at(-1);
  const expected = { value: last === undefined ? null : last.value, version: committed.length };
  const consistent =
    replicas.length > 0 &&
    replicas.every((r) => r.value === expected.value && r.version === expected.version);
  return {
    rounds: transactions.length,
    committed: committed.length,
    aborted: transactions.length - committed.length,
    replicas: replicas.map(({ id, value, version }) => ({ id, value, version })),
    consistent,
    transactions: transactions.map(({ txId, votes, decision, reason }) => ({
      txId,
      votes,
      decision,
      reason,
    })),
  };
}

export function formatSummary(report: DemoReport): string {
  const replicas = report.replicas.map((r) => `${r.id}=${show(r.value)} v${r.version}`).join('  ');
  return [
    `${report.rounds} transactions: ${report.committed} committed, ${report.aborted} aborted`,
    `replicas: ${replicas}`,
    `all replicas agree: ${report.consistent ? 'yes' : 'NO'}`,
  ].join('\n');
}
