import type { LatencySummary } from './latency-recorder';
import type { Workload } from './bench-options';

/** One line of `--json` output. */
export interface BenchResult {
  workload: Workload;
  clients: number;
  connections: number;
  seconds: number;
  ops: number;
  /** W1 cycles (a preempt and its release), W2 attempts, W3 checks, per second. */
  opsPerSec: number;
  successes: number;
  latencyMs: { preempt: LatencySummary | null; release: LatencySummary | null; check: LatencySummary | null };
  errors: number;
  firstErrors: string[];
  /** Percent of one core: the benchmark process, and each server it started (null for --servers). */
  cpu: { bench: number; servers: number[] | null };
  /** With --duration-minutes: ops per second in each minute. */
  opsPerSecByMinute?: number[];
}

const LABELS: Record<Workload, string> = {
  w1: 'W1 uncontended preempt+release (cycles/s)',
  w2: 'W2 contended try-lock of --keys locks (attempts/s)',
  w3: 'W3 local owner checks on followers (checks/s)',
  w3lin: 'W3 linearizable checks on followers (checks/s)',
};

function latency(summary: LatencySummary | null): string {
  return summary === null ? '-' : `${summary.p50} / ${summary.p99} / ${summary.max}`;
}

/** The table for people. */
export function formatResults(results: readonly BenchResult[]): string {
  const rows = results.map((r) => [
    LABELS[r.workload],
    r.opsPerSec.toLocaleString('en-US'),
    latency(r.latencyMs.preempt),
    latency(r.latencyMs.release),
    latency(r.latencyMs.check),
    String(r.errors),
    `${r.cpu.bench}% / ${r.cpu.servers === null ? '-' : r.cpu.servers.map((c) => `${c}%`).join(' ')}`,
  ]);
  const header = [
    'workload',
    'ops/s',
    'preempt ms p50/p99/max',
    'release ms',
    'check ms',
    'errors',
    'cpu bench/servers',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const lines = [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  for (const r of results) {
    if (r.opsPerSecByMinute) lines.push(`${r.workload} ops/s by minute: ${r.opsPerSecByMinute.join(', ')}`);
    for (const error of r.firstErrors) lines.push(`${r.workload} error: ${error}`);
  }
  return `${lines.join('\n')}\n`;
}
