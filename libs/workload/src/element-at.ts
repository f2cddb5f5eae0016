/** The element at `index`, or an error naming what was missing (an index the caller keeps in range). */
export function elementAt<T>(items: readonly T[], index: number, what: string): T {
  const item = items[index];
  if (item === undefined) throw new Error(`no ${what} at index ${index} (of ${items.length})`);
  return item;
}
