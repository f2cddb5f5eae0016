import { assert, type Random } from '@app/replicated-log';

/** One of `items`, drawn with a single `intBetween` (so a seed replays the same run). */
export function pickOne<T>(random: Random, items: readonly T[]): T {
  const item = items[random.intBetween(0, items.length - 1)];
  assert(item !== undefined, 'picked from an empty list');
  return item;
}

/** Fisher-Yates, in place, with the same draws as the classic loop. */
export function shuffleInPlace<T>(random: Random, items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.intBetween(0, i);
    const [a, b] = [items[i], items[j]];
    assert(a !== undefined && b !== undefined, 'shuffle index outside the list');
    items[i] = b;
    items[j] = a;
  }
}
