/**
 * Compares a presented secret with the stored one without an early exit, so the time
 * taken does not reveal how many leading characters matched. It runs over the stored
 * secret's length only. (Pure: the core may not use node:crypto.)
 */
export function constantTimeEqual(stored: string, presented: string): boolean {
  let difference = stored.length ^ presented.length;
  for (let i = 0; i < stored.length; i++) {
    difference |= stored.charCodeAt(i) ^ (presented.charCodeAt(i) || 0);
  }
  return difference === 0;
}
