import request from 'supertest';
import { defined } from './defined';

/** One try of a request against one node, for reports. */
export interface Attempt {
  url: string;
  path: string;
  status?: number;
  retryAfter?: string;
  error?: string;
}

export interface FailoverRequestOptions {
  /** give up (outcome unknown) once this Date.now() passes */
  deadline: number;
  /** which of the urls to try first */
  startIndex?: number;
  /** how long one try may take before it counts as lost */
  attemptTimeoutMs?: number;
  /** called after every try, answered or not */
  onAttempt?: (attempt: Attempt) => void;
}

/**
 * POSTs `body` to `path` the way a client with several node addresses does: a 503 (no
 * leader right now), a connection error or a timeout is retried against the next node,
 * with the *same* body (so the same requestId: a retry of a request that did commit is
 * answered the same and applied once). Any other answer is returned. Resolves to null when
 * `deadline` passes without one: the outcome is unknown.
 *
 * `urls` is a function so that a node killed or started meanwhile is left out or included.
 */
export async function postWithFailover(
  urls: () => string[],
  path: string,
  body: object,
  { deadline, startIndex = 0, attemptTimeoutMs = 4000, onAttempt }: FailoverRequestOptions,
): Promise<request.Response | null> {
  let index = startIndex;
  while (Date.now() < deadline) {
    const candidates = urls();
    if (candidates.length === 0) {
      await pause(50);
      continue;
    }
    const url = defined(candidates[index % candidates.length], 'a candidate url');
    const attempt: Attempt = { url, path };
    try {
      const res = await request(url)
        .post(path)
        .send(body)
        .timeout(Math.max(1, Math.min(attemptTimeoutMs, deadline - Date.now())));
      attempt.status = res.status;
      attempt.retryAfter = res.headers['retry-after'];
      onAttempt?.(attempt);
      if (res.status !== 503 && res.status < 500) return res;
    } catch (error: unknown) {
      attempt.error = error instanceof Error ? error.message : String(error);
      onAttempt?.(attempt);
    }
    // Unknown outcome (503, 5xx, lost connection, timeout): the next node, after a short
    // back-off so a cluster in an election is not hammered.
    index++;
    await pause(25 + Math.floor(Math.random() * 50));
  }
  return null;
}

/** A client's back-off between retries (not a test waiting for state). */
function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
