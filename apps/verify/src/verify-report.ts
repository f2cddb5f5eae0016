import { describeOperation } from '@app/history-checker';
import type { RunAnalysis } from '@app/history-checker';

/** The human summary of a verify run: counts, verdict, and the first offending operations. */
export function formatVerifyReport(analysis: RunAnalysis, historyFile: string): string {
  const lines: string[] = [];
  const counts = Object.entries(analysis.operations.byKindAndOutcome)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  lines.push(`operations: ${analysis.operations.total} (${counts})`);
  const keys = analysis.linearizability.keys;
  lines.push(`locks checked: ${keys.length}, search steps: ${keys.reduce((s, k) => s + k.steps, 0)}`);
  for (const [name, list] of Object.entries(analysis.anomalies)) {
    lines.push(`${name}: ${list.length === 0 ? 'ok' : `${list.length} anomalies`}`);
    for (const line of list.slice(0, 5)) lines.push(`  ${line}`);
  }
  const illegal = analysis.linearizability.firstIllegal;
  if (illegal !== null) {
    lines.push(`first operation that cannot be linearized (lock ${illegal.key}):`);
    lines.push(`  ${describeOperation(illegal.stuckAt)}`);
    lines.push('  after the longest linearizable prefix, ending with:');
    for (const op of illegal.longestPrefix.slice(-5)) lines.push(`    ${describeOperation(op)}`);
    lines.push('  concurrent with:');
    for (const op of illegal.concurrent.slice(0, 10)) lines.push(`    ${describeOperation(op)}`);
  }
  const verdict =
    analysis.anomalyCount === 0 ? 'LINEARIZABLE: no anomalies' : `NOT OK: ${analysis.anomalyCount} anomalies`;
  lines.push(`${verdict}; history in ${historyFile}`);
  return lines.join('\n');
}
