/**
 * Marks an error thrown by a `waitFor` probe as final: the wait fails at once with it
 * instead of retrying. Use it for answers that can never turn into the awaited state.
 */
export class FatalProbeError extends Error {
  override readonly name = 'FatalProbeError';

  constructor(readonly reason: unknown) {
    super(reason instanceof Error ? reason.message : String(reason));
    if (reason instanceof Error && reason.stack) this.stack = reason.stack;
  }
}

/** Wraps `error` so that `waitFor` stops retrying and rethrows it. */
export function fatal(error: unknown): FatalProbeError {
  return error instanceof FatalProbeError ? error : new FatalProbeError(error);
}

/**
 * Polls `probe` until it returns something other than undefined/false, or fails with
 * `description` and the last value seen once `timeoutMs` passes. Tests never sleep a
 * fixed time; they wait for state.
 *
 * A probe that throws counts as "not yet" (a node still starting refuses connections),
 * except for a failed `expect` inside the probe and a `FatalProbeError`: those fail the
 * wait at once, since retrying cannot make a broken claim true.
 */
export async function waitFor<T>(
  description: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 20_000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    // .then() so that a probe that throws synchronously is handled like a rejected one.
    const value = await Promise.resolve()
      .then(probe)
      .catch((error: unknown) => {
        if (isFinal(error)) throw error instanceof FatalProbeError ? error.reason : error;
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

/** A failed jest `expect` carries its `matcherResult`; retrying it would hide the failure. */
function isFinal(error: unknown): boolean {
  if (error instanceof FatalProbeError) return true;
  return typeof error === 'object' && error !== null && 'matcherResult' in error;
}

function describe(value: unknown): string {
  if (value instanceof Error) return value.message;
  return JSON.stringify(value) ?? String(value);
}
