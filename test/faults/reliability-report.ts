import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ScenarioResult } from './run-scenario';

const ROOT = resolve(__dirname, '..', '..');

function sum(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

function commit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

/** Writes reliability-report.json in the project root from the scenarios of one run. */
export function writeReliabilityReport(results: ScenarioResult[], mode: string): string {
  const operations: Record<string, number> = { total: 0 };
  const faults: Record<string, number> = {};
  const recoveryMs: Record<string, number | null> = {};
  let anomalies = 0;
  const controls = results.filter((r) => r.expectAnomaly !== undefined && !r.skipped);
  for (const r of results) {
    if (r.skipped) continue;
    operations.total = (operations.total ?? 0) + r.operations.total;
    sum(operations, r.operations.byKindAndOutcome);
    sum(faults, r.faults);
    recoveryMs[r.id] = r.recoveryMs;
    if (r.expectAnomaly === undefined) anomalies += r.anomalies;
  }
  const report = {
    commit: commit(),
    mode,
    operations,
    faults,
    recoveryMs,
    anomalies,
    negativeControls: { expected: controls.length, detected: controls.filter((r) => r.detected).length },
    scenarios: results,
  };
  const path = join(ROOT, 'reliability-report.json');
  writeFileSync(path, JSON.stringify(report, null, 2) + '\n');
  return path;
}
