/**
 * The value, or a failed test naming what was missing: for an index the suite expects to
 * be there (an array it just built, a call it just made), instead of a non-null assertion.
 */
export function defined<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`expected ${what}, found nothing`);
  return value;
}
