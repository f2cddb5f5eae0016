import type { MealRecord } from './meal-record';
import { elementAt } from './element-at';

/** Two neighbours ate at overlapping times: the forks did not exclude each other. */
export interface Overlap {
  first: MealRecord;
  second: MealRecord;
}

/** A fork's fencing token did not grow from one meal to the next. */
export interface TokenRegression {
  fork: number;
  earlier: MealRecord;
  later: MealRecord;
  earlierToken: number;
  laterToken: number;
}

export interface HistoryVerdict {
  overlaps: Overlap[];
  tokenRegressions: TokenRegression[];
}

/** The neighbour pairs of a round table of n seats, each pair once (n = 2 has one pair). */
export function neighbourPairs(n: number): [number, number][] {
  const pairs: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    const j = (i + 1) % n;
    if (n === 2 && i === 1) break;
    pairs.push([i, j]);
  }
  return pairs;
}

function byStart(a: MealRecord, b: MealRecord): number {
  return a.startMs - b.startMs;
}

/** Meals of two neighbours, in start order, that overlap in time (touching ends do not). */
function overlapsBetween(meals: readonly MealRecord[], a: number, b: number): Overlap[] {
  const found: Overlap[] = [];
  const pair = meals.filter((m) => m.philosopher === a || m.philosopher === b).sort(byStart);
  // The meal of each philosopher that ends last so far: a later start before it is an overlap.
  const latest = new Map<number, MealRecord>();
  for (const meal of pair) {
    const other = latest.get(meal.philosopher === a ? b : a);
    if (other !== undefined && meal.startMs < other.endMs) found.push({ first: other, second: meal });
    const own = latest.get(meal.philosopher);
    if (own === undefined || meal.endMs > own.endMs) latest.set(meal.philosopher, meal);
  }
  return found;
}

/** Each fork's tokens over its meals, in start order, must strictly increase (fencing). */
function tokenRegressions(meals: readonly MealRecord[]): TokenRegression[] {
  const found: TokenRegression[] = [];
  const forks = new Set(meals.flatMap((m) => m.forks.map((f) => f.fork)));
  for (const fork of [...forks].sort((x, y) => x - y)) {
    const uses = meals
      .map((meal) => ({ meal, token: meal.forks.find((f) => f.fork === fork)?.fencingToken }))
      .filter((use): use is { meal: MealRecord; token: number } => use.token !== undefined)
      .sort((x, y) => byStart(x.meal, y.meal));
    for (let k = 1; k < uses.length; k++) {
      const [earlier, later] = [elementAt(uses, k - 1, 'use'), elementAt(uses, k, 'use')];
      if (later.token > earlier.token) continue;
      found.push({
        fork,
        earlier: earlier.meal,
        later: later.meal,
        earlierToken: earlier.token,
        laterToken: later.token,
      });
    }
  }
  return found;
}

/** Checks a run's meals: no two neighbours ever ate at once, and every fork's tokens strictly increase. */
export function checkHistory(meals: readonly MealRecord[], philosophers: number): HistoryVerdict {
  const overlaps = neighbourPairs(philosophers).flatMap(([a, b]) => overlapsBetween(meals, a, b));
  return { overlaps, tokenRegressions: tokenRegressions(meals) };
}
