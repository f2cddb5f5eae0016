import { SeededRandom as CoreSeededRandom } from '@app/replicated-log';
import { elementAt } from './element-at';

/** The core's seeded generator (mulberry32), with the picks a workload needs, so its choices follow its seed. */
export class SeededRandom extends CoreSeededRandom {
  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return elementAt(items, this.below(items.length), 'item to pick');
  }
}
