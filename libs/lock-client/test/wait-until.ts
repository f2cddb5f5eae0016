import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `probe` (sync or async) every few milliseconds until it returns something other than undefined or
 * false, and resolves with that; fails naming `what` after `timeoutMs`. For conditions
 * without an event to await (a count on a fake node reaching a value).
 */
export async function waitUntil<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 5_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}
