/**
 * The element at `index`, or an error naming what was missing: the table's arrays have one
 * slot per philosopher (or fork), so an index outside them is a broken invariant.
 */
export function elementAt<T>(items: readonly T[], index: number, what: string): T {
  const item = items[index];
  if (item === undefined) throw new Error(`no ${what} at index ${index} (of ${items.length})`);
  return item;
}
