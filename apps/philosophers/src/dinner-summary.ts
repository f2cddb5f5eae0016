import { jainIndex, longestGap, maxMinRatio, percentile } from './dinner-figures';
import type { DinnerLog } from './dinner-log';
import type { FaultReport } from './fault-report';
import { forkLockName } from './fork-names';
import { checkHistory } from './history-check';
import type { HistoryVerdict } from './history-check';
import { elementAt } from './element-at';

export interface ForkFigures {
  name: string;
  meals: number;
  holdMs: { p50: number; p99: number };
  waitMs: { p50: number; p99: number };
}

/** How the dinner was set up. */
export interface DinnerSetup {
  philosophers: number;
  seconds: number;
  eatMs: number;
  thinkMs: number;
  sessionTtlMs: number;
  runId: string;
  servers: string[];
  embeddedCluster: boolean;
}

/** The results, as printed and as written by --json. */
export interface DinnerSummary extends DinnerSetup {
  /** How long the dinner really lasted (shorter when interrupted). */
  elapsedSeconds: number;
  interrupted: boolean;
  meals: number[];
  totalMeals: number;
  mealsPerSecond: number;
  idealMealsPerSecond: number;
  /** Over the philosophers that sat the whole dinner; null when one of them never ate. */
  maxMinRatio: number | null;
  jainIndex: number;
  overlaps: number;
  tokenRegressions: number;
  deadlock: boolean;
  starvation: boolean;
  longestStallMs: number;
  longestHungerMs: number;
  /** A stall or hunger longer than this counts as deadlock or starvation. */
  stallLimitMs: number;
  forks: ForkFigures[];
  faults: FaultReport[];
  violations: string[];
  troubles: string[];
  nodes: string[];
}

/** Longer than any pause a fault explains: a session expiring, an election, a few meals. */
export function stallLimitMs(setup: DinnerSetup): number {
  return Math.max(10_000, 2 * setup.sessionTtlMs + 20 * (setup.eatMs + setup.thinkMs));
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function forkFigures(log: DinnerLog, runId: string): ForkFigures[] {
  return log.forkHoldsMs.map((holds, fork) => forkFigure(log, runId, holds, fork));
}

function forkFigure(log: DinnerLog, runId: string, holds: readonly number[], fork: number): ForkFigures {
  const waits = elementAt(log.forkWaitsMs, fork, 'fork');
  return {
    name: forkLockName(runId, fork),
    meals: log.meals.filter((m) => m.finished && m.forks.some((f) => f.fork === fork)).length,
    holdMs: { p50: round(percentile(holds, 50), 1), p99: round(percentile(holds, 99), 1) },
    waitMs: {
      p50: round(percentile(waits, 50), 1),
      p99: round(percentile(waits, 99), 1),
    },
  };
}

/** Who never stops eating for long: the longest gap between a philosopher's meal starts while seated. */
function longestHunger(log: DinnerLog, elapsedMs: number, faults: FaultReport[]): number {
  let longest = 0;
  for (let p = 0; p < log.philosophers; p++) {
    const killed = faults.find((f) => f.type === 'kill-philosopher' && f.philosopher === p);
    const until = killed === undefined ? elapsedMs : killed.atMs;
    const starts = log.meals.filter((m) => m.philosopher === p).map((m) => m.startMs);
    longest = Math.max(longest, longestGap(starts, 0, until));
  }
  return longest;
}

function violationsOf(verdict: HistoryVerdict, deadlock: boolean, starvation: boolean, limitMs: number) {
  const violations: string[] = [];
  for (const { first, second } of verdict.overlaps) {
    violations.push(
      `overlap: P${first.philosopher} ate ${first.startMs.toFixed(1)}-${first.endMs.toFixed(1)} ms and ` +
        `P${second.philosopher} ate ${second.startMs.toFixed(1)}-${second.endMs.toFixed(1)} ms`,
    );
  }
  for (const r of verdict.tokenRegressions) {
    violations.push(
      `fork ${r.fork}: token ${r.laterToken} (P${r.later.philosopher} at ${r.later.startMs.toFixed(1)} ms) ` +
        `after token ${r.earlierToken} (P${r.earlier.philosopher} at ${r.earlier.startMs.toFixed(1)} ms)`,
    );
  }
  if (deadlock) violations.push(`deadlock: nobody ate for more than ${limitMs} ms`);
  if (starvation) violations.push(`starvation: a seated philosopher did not eat for more than ${limitMs} ms`);
  return violations;
}

/** Checks the history and computes every figure of the report. */
export function summarize(
  setup: DinnerSetup,
  log: DinnerLog,
  elapsedMs: number,
  faults: FaultReport[],
  interrupted: boolean,
): DinnerSummary {
  const counted = log.meals.filter((m) => m.finished && m.endMs <= elapsedMs);
  const meals = log.counts.map((_, p) => counted.filter((m) => m.philosopher === p).length);
  const killed = new Set(faults.flatMap((f) => (f.type === 'kill-philosopher' ? [f.philosopher] : [])));
  const stayed = meals.filter((_, p) => !killed.has(p));
  const verdict = checkHistory(log.meals, log.philosophers);
  const limitMs = stallLimitMs(setup);
  const finishedEnds = log.meals.filter((m) => m.finished).map((m) => m.endMs);
  const longestStallMs = longestGap(finishedEnds, 0, elapsedMs);
  const longestHungerMs = longestHunger(log, elapsedMs, faults);
  const ratio = maxMinRatio(stayed);
  const elapsedSeconds = elapsedMs / 1000;
  return {
    ...setup,
    elapsedSeconds: round(elapsedSeconds, 3),
    interrupted,
    meals,
    totalMeals: counted.length,
    mealsPerSecond: round(counted.length / elapsedSeconds, 2),
    idealMealsPerSecond: round((Math.floor(setup.philosophers / 2) * 1000) / setup.eatMs, 2),
    maxMinRatio: Number.isFinite(ratio) ? round(ratio, 3) : null,
    jainIndex: round(jainIndex(stayed), 4),
    overlaps: verdict.overlaps.length,
    tokenRegressions: verdict.tokenRegressions.length,
    deadlock: longestStallMs > limitMs,
    starvation: longestHungerMs > limitMs,
    longestStallMs: round(longestStallMs, 1),
    longestHungerMs: round(longestHungerMs, 1),
    stallLimitMs: limitMs,
    forks: forkFigures(log, setup.runId),
    faults,
    violations: violationsOf(verdict, longestStallMs > limitMs, longestHungerMs > limitMs, limitMs),
    troubles: [...log.troubles],
    nodes: [...log.nodes],
  };
}
