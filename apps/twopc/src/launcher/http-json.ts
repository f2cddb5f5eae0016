/** A JSON HTTP exchange; a failure to connect or a timeout is a value, not an exception. */
export type HttpAnswer<T> = { ok: true; status: number; body: T } | { ok: false; status: 0; error: string };

export async function httpJson<T>(
  method: string,
  url: string,
  body?: unknown,
  timeoutMs = 30_000,
): Promise<HttpAnswer<T>> {
  const init: RequestInit = { method, signal: AbortSignal.timeout(timeoutMs) };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { 'content-type': 'application/json' };
  }
  const response = await fetch(url, init).catch((err: unknown) => String(err));
  if (typeof response === 'string') return { ok: false, status: 0, error: response };
  const parsed = (await response.json().catch(() => null)) as T;
  return { ok: true, status: response.status, body: parsed };
}

export async function sleepMs(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` until it returns a value, or throws naming `what` after `timeoutMs`. */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | null>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleepMs(100);
  }
}
