import type { WorkloadCounts } from '@app/simulator';

/**
 * The sweep's table of what the simulated clients and leaders did, per kind: the total
 * over all seeds, the fewest and most in one seed, and how many seeds had none.
 */
export function workloadTable(perSeed: ReadonlyMap<number, WorkloadCounts>): string {
  const rows = [...perSeed.values()];
  const kinds = Object.keys(rows[0] ?? {}) as (keyof WorkloadCounts)[];
  const lines = [
    `${'kind'.padEnd(24)}${'total'.padStart(9)}${'min'.padStart(7)}${'max'.padStart(7)}  seeds with none`,
  ];
  for (const kind of kinds) {
    const values = rows.map((row) => row[kind]);
    const total = values.reduce((a, b) => a + b, 0);
    const none = values.filter((v) => v === 0).length;
    lines.push(
      `${kind.padEnd(24)}${String(total).padStart(9)}${String(Math.min(...values)).padStart(7)}${String(Math.max(...values)).padStart(7)}  ${none}`,
    );
  }
  return lines.join('\n');
}

/** The sum of every seed's counts, per kind. */
export function totalCounts(perSeed: ReadonlyMap<number, WorkloadCounts>): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const row of perSeed.values())
    for (const [kind, value] of Object.entries(row)) totals[kind] = (totals[kind] ?? 0) + value;
  return totals;
}
