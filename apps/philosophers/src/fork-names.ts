/** Philosopher i eats with forks i and i+1 (mod n). */
export function forksOf(philosopher: number, philosophers: number): [number, number] {
  return [philosopher, (philosopher + 1) % philosophers];
}

/** The lock that is fork `fork` at the table of run `runId`. */
export function forkLockName(runId: string, fork: number): string {
  return `table-${runId}-fork-${fork}`;
}

/** The seats next to `philosopher` (one seat when there are two philosophers). */
export function neighboursOf(philosopher: number, philosophers: number): number[] {
  const left = (philosopher + philosophers - 1) % philosophers;
  const right = (philosopher + 1) % philosophers;
  return left === right ? [left] : [left, right];
}

/**
 * The fairness rule: a philosopher may take its forks only when it has eaten no more
 * times than any neighbour still at the table.
 */
export function mayEat(philosopher: number, meals: readonly number[], seated: readonly boolean[]): boolean {
  return neighboursOf(philosopher, meals.length).every((n) => !seated[n] || meals[philosopher] <= meals[n]);
}
