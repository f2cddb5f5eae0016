import { elementAt } from './element-at';

/** Philosopher i eats with forks i and i+1 (mod n). */
export function forksOf(philosopher: number, philosophers: number): [number, number] {
  return [philosopher, (philosopher + 1) % philosophers];
}

/**
 * The global order in which forks are taken (Dijkstra's resource ordering, so no cycle of
 * philosophers each holding one fork and waiting for the next can form). Rather than plain
 * lowest-number-first, which lets a chain of philosophers each hold one fork while waiting
 * for the next, even forks come before odd ones: every odd fork is the second fork of both
 * its users, so whoever holds it holds both and is eating, and a waiting chain is at most
 * two long. With an odd count fork 0 sits between the even forks and the odd ones, so the
 * last philosopher, whose forks are both even, takes its own fork first.
 */
export function forkRank(fork: number, philosophers: number): number {
  const tier = fork % 2 === 1 ? 2 : fork === 0 && philosophers % 2 === 1 ? 1 : 0;
  return tier * philosophers + fork;
}

/** Philosopher i's two forks in the order it takes them. */
export function forkOrder(philosopher: number, philosophers: number): [number, number] {
  const [a, b] = forksOf(philosopher, philosophers);
  return forkRank(a, philosophers) < forkRank(b, philosophers) ? [a, b] : [b, a];
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
  const own = elementAt(meals, philosopher, 'philosopher');
  return neighboursOf(philosopher, meals.length).every(
    (n) => !seated[n] || own <= elementAt(meals, n, 'philosopher'),
  );
}
