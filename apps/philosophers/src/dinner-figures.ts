import { elementAt } from './element-at';

/** Nearest-rank percentile of `values` (0 when empty). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return elementAt(sorted, Math.min(sorted.length, Math.max(1, rank)) - 1, 'value');
}

/** Jain's fairness index (sum x)^2 / (n * sum x^2): 1 when all are equal, 1/n when one gets all. */
export function jainIndex(values: readonly number[]): number {
  const sum = values.reduce((a, b) => a + b, 0);
  const squares = values.reduce((a, b) => a + b * b, 0);
  return squares === 0 ? 1 : (sum * sum) / (values.length * squares);
}

/** max / min of `values`; Infinity when the least is 0 (somebody never ate). */
export function maxMinRatio(values: readonly number[]): number {
  const max = Math.max(...values);
  const min = Math.min(...values);
  if (min === 0) return max === 0 ? 1 : Infinity;
  return max / min;
}

/** The longest gap between successive instants, the window's ends included. */
export function longestGap(instants: readonly number[], fromMs: number, toMs: number): number {
  const points = [fromMs, ...instants.filter((t) => t >= fromMs && t <= toMs).sort((a, b) => a - b), toMs];
  let longest = 0;
  for (let k = 1; k < points.length; k++) {
    longest = Math.max(longest, elementAt(points, k, 'instant') - elementAt(points, k - 1, 'instant'));
  }
  return longest;
}
