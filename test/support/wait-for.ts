/**
 * Polls `probe` until it returns something other than undefined/false, or fails with
 * `description` and the last value seen once `timeoutMs` passes. Tests never sleep a
 * fixed time; they wait for state.
 */
export async function waitFor<T>(
  description: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 20_000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    // .then() so that a probe that throws synchronously is retried like a rejected one.
    const value = await Promise.resolve()
      .then(probe)
      .catch((error: unknown) => {
        last = error;
        return undefined;
      });
    if (value !== undefined && value !== false) return value;
    if (value !== undefined) last = value;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}; last: ${describe(last)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function describe(value: unknown): string {
  if (value instanceof Error) return value.message;
  return JSON.stringify(value) ?? String(value);
}
