import type { MealCounts, TakenFork } from './ipc-messages';
import type { MealRecord } from './meal-record';
import { elementAt } from './element-at';

/** A fork grant as the table heard of it, on its clock. */
export interface ForkGrant {
  fork: number;
  philosopher: number;
  atMs: number;
}

/**
 * The table's record of the dinner: meal counts (the list every philosopher sees), every
 * meal with its forks' tokens and its start and end on the table's clock, who holds which
 * fork, and the forks' wait and hold times as the philosophers measured them.
 */
export class DinnerLog {
  readonly meals: MealRecord[] = [];
  readonly counts: number[];
  readonly seated: boolean[];
  readonly nodes: string[];
  readonly grants: ForkGrant[] = [];
  readonly forkWaitsMs: number[][];
  readonly forkHoldsMs: number[][];
  readonly forkHolder: (number | null)[];
  readonly troubles: string[] = [];
  /** Each philosopher's node at each meal start where it differs from the one before. */
  readonly nodeChanges: { philosopher: number; node: string; atMs: number }[] = [];
  private readonly open: (MealRecord | null)[];

  constructor(readonly philosophers: number) {
    this.counts = new Array<number>(philosophers).fill(0);
    this.seated = new Array<boolean>(philosophers).fill(true);
    this.nodes = new Array<string>(philosophers).fill('');
    this.open = new Array<MealRecord | null>(philosophers).fill(null);
    this.forkHolder = new Array<number | null>(philosophers).fill(null);
    this.forkWaitsMs = Array.from({ length: philosophers }, () => []);
    this.forkHoldsMs = Array.from({ length: philosophers }, () => []);
  }

  snapshot(): MealCounts {
    return { meals: [...this.counts], seated: [...this.seated] };
  }

  isEating(philosopher: number): boolean {
    return this.open[philosopher] !== null;
  }

  /** The philosopher sat down connected to `node`. */
  sitDown(philosopher: number, node: string): void {
    this.nodes[philosopher] = node;
    this.nodeChanges.push({ philosopher, node, atMs: 0 });
  }

  took(philosopher: number, taken: TakenFork, atMs: number): void {
    this.forkHolder[taken.fork] = philosopher;
    elementAt(this.forkWaitsMs, taken.fork, 'fork').push(taken.waitMs);
    this.grants.push({ fork: taken.fork, philosopher, atMs });
  }

  released(philosopher: number, fork: number, holdMs: number): void {
    if (this.forkHolder[fork] === philosopher) this.forkHolder[fork] = null;
    elementAt(this.forkHoldsMs, fork, 'fork').push(holdMs);
  }

  startMeal(philosopher: number, forks: TakenFork[], node: string, atMs: number): void {
    if (this.nodes[philosopher] !== node) this.nodeChanges.push({ philosopher, node, atMs });
    this.nodes[philosopher] = node;
    const meal: MealRecord = {
      philosopher,
      forks: forks.map(({ fork, fencingToken }) => ({ fork, fencingToken })),
      startMs: atMs,
      endMs: atMs,
      finished: false,
    };
    this.open[philosopher] = meal;
    this.meals.push(meal);
  }

  endMeal(philosopher: number, atMs: number): void {
    const meal = elementAt(this.open, philosopher, 'philosopher');
    if (meal === null) return;
    meal.endMs = atMs;
    meal.finished = true;
    this.open[philosopher] = null;
    this.counts[philosopher] = elementAt(this.counts, philosopher, 'philosopher') + 1;
  }

  /** The philosopher's process is gone: a meal it was eating ends now, unfinished. */
  leave(philosopher: number, atMs: number): void {
    this.seated[philosopher] = false;
    const meal = elementAt(this.open, philosopher, 'philosopher');
    if (meal !== null) meal.endMs = atMs;
    this.open[philosopher] = null;
  }

  /** Forks held by `philosopher` now. */
  forksHeldBy(philosopher: number): number[] {
    return this.forkHolder.flatMap((holder, fork) => (holder === philosopher ? [fork] : []));
  }

  trouble(philosopher: number, message: string, atMs: number): void {
    // Bounded: a flapping cluster must not grow the table's memory without end.
    if (this.troubles.length < 200)
      this.troubles.push(`${(atMs / 1000).toFixed(2)} s P${philosopher}: ${message}`);
  }
}
