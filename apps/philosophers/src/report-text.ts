import type { DinnerSummary } from './dinner-summary';
import type { FaultReport } from './fault-report';
import { elementAt } from './element-at';

const BAR_WIDTH = 40;

function ms(value: number): string {
  return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${value.toFixed(value < 10 ? 1 : 0)} ms`;
}

function bar(value: number, max: number): string {
  if (max === 0) return '';
  const eighths = Math.round((value / max) * BAR_WIDTH * 8);
  const partial = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'][eighths % 8];
  return '█'.repeat(Math.floor(eighths / 8)) + partial;
}

function mealsTable(s: DinnerSummary): string[] {
  const max = Math.max(...s.meals);
  const nodeWidth = Math.max(4, ...s.nodes.map((n) => n.length));
  const lines = [`philosopher  ${'node'.padEnd(nodeWidth)}  meals`];
  s.meals.forEach((count, p) => {
    const killed = s.faults.some((f) => f.type === 'kill-philosopher' && f.philosopher === p);
    const label = `P${p}`.padEnd(11);
    const mark = killed ? '  (killed)' : '';
    lines.push(
      `${label}  ${elementAt(s.nodes, p, 'node').padEnd(nodeWidth)}  ${String(count).padStart(5)}  ${bar(count, max)}${mark}`,
    );
  });
  return lines;
}

function figures(s: DinnerSummary): string[] {
  const share = s.idealMealsPerSecond > 0 ? (100 * s.mealsPerSecond) / s.idealMealsPerSecond : 0;
  const atOnce = Math.floor(s.philosophers / 2);
  const ratio = s.maxMinRatio === null ? 'infinite (somebody never ate)' : s.maxMinRatio.toFixed(3);
  return [
    `total meals        ${s.totalMeals} in ${s.elapsedSeconds.toFixed(1)} s`,
    `meals/s            ${s.mealsPerSecond.toFixed(2)}; ideal ${s.idealMealsPerSecond.toFixed(2)} (${atOnce} eating at once, ${s.eatMs} ms each): ${share.toFixed(0)}%`,
    `max/min meals      ${ratio}`,
    `Jain's index       ${s.jainIndex.toFixed(4)}`,
    `overlaps           ${s.overlaps} (neighbours eating at the same time)`,
    `fencing tokens     ${s.tokenRegressions === 0 ? 'strictly increasing on every fork' : `${s.tokenRegressions} went backwards`}`,
    `deadlock           ${s.deadlock ? 'YES' : 'none'}; longest time nobody ate ${ms(s.longestStallMs)}, longest a philosopher went hungry ${ms(s.longestHungerMs)}`,
  ];
}

function forkTable(s: DinnerSummary): string[] {
  const nameWidth = Math.max(...s.forks.map((f) => f.name.length));
  const head = `${'fork'.padEnd(nameWidth)}  meals  hold p50  hold p99  wait p50  wait p99`;
  return [
    head,
    ...s.forks.map(
      (f) =>
        `${f.name.padEnd(nameWidth)}  ${String(f.meals).padStart(5)}  ${ms(f.holdMs.p50).padStart(8)}  ${ms(f.holdMs.p99).padStart(8)}  ` +
        `${ms(f.waitMs.p50).padStart(8)}  ${ms(f.waitMs.p99).padStart(8)}`,
    ),
  ];
}

function faultLines(fault: FaultReport): string[] {
  const at = `${(fault.atMs / 1000).toFixed(1)} s`;
  if (fault.type === 'kill-philosopher') {
    const stuck = fault.forksStuckMs
      .map((f) => {
        const expired =
          f.expiredAfterMs === null ? 'no expiry seen' : `session expired after ${ms(f.expiredAfterMs)}`;
        return `fork ${f.fork} stuck ${f.stuckMs === null ? 'to the end' : ms(f.stuckMs)} (${expired})`;
      })
      .join(', ');
    return [
      `fault: kill -9 of P${fault.philosopher} (pid ${fault.pid}) at ${at}, ${fault.wasEating ? 'while eating' : 'not eating'}` +
        (stuck ? `; ${stuck}` : '; it held no forks'),
      `       meals after its forks came free: ${fault.mealsAfterFreed.map((m, p) => `P${p} ${m}`).join(', ')}`,
    ];
  }
  const moved = fault.moved.map((m) => `P${m.philosopher} -> ${m.to}`).join(', ') || 'none';
  const next =
    fault.firstMealAfterMs === null
      ? 'no meal after it'
      : `first meal begun ${ms(fault.firstMealAfterMs)} later`;
  return [
    `fault: kill -9 of node ${fault.node} (${fault.address}${fault.wasLeader ? ', the leader' : ''}) at ${at}; ${next}`,
    `       moved to another node: ${moved}; meals after: ${fault.mealsAfter.map((m, p) => `P${p} ${m}`).join(', ')}`,
  ];
}

/** The final report printed to the terminal. */
export function reportText(s: DinnerSummary): string {
  const lines = ['', ...mealsTable(s), '', ...figures(s), '', ...forkTable(s)];
  if (s.faults.length > 0) lines.push('', ...s.faults.flatMap(faultLines));
  if (s.troubles.length > 0) {
    lines.push(
      '',
      `${s.troubles.length} request failures (retried):`,
      ...s.troubles.slice(0, 5).map((t) => `  ${t.length > 150 ? `${t.slice(0, 150)}...` : t}`),
    );
  }
  lines.push('');
  if (s.violations.length === 0) lines.push('result: OK, no violations');
  else
    lines.push(
      `result: ${s.violations.length} VIOLATIONS`,
      ...s.violations.slice(0, 20).map((v) => `  ${v}`),
    );
  if (s.violations.length > 20)
    lines.push(`  ... and ${s.violations.length - 20} more (all of them in --json)`);
  return lines.join('\n') + '\n';
}
