/** Lock names: 1-128 characters of A-Z a-z 0-9 . _ : - (DESIGN.md section 4). */
export const LOCK_NAME_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
export const LOCK_NAME_MAX_LENGTH = 128;

/** A client ID is a UUID of any version (the CLI derives a v5 one from user and host). */
export const CLIENT_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `GET /locks` answers at most this many locks. */
export const LIST_LOCKS_LIMIT = 10_000;

export function isLockName(value: unknown): value is string {
  return typeof value === 'string' && LOCK_NAME_PATTERN.test(value);
}

export function isClientId(value: unknown): value is string {
  return typeof value === 'string' && CLIENT_ID_PATTERN.test(value);
}

/** Session ids are secrets: 128 random bits as 32 lowercase hex characters. */
export const SESSION_ID_PATTERN = /^[0-9a-f]{32}$/;

export function isSessionId(value: unknown): value is string {
  return typeof value === 'string' && SESSION_ID_PATTERN.test(value);
}

/** Bounds of a session TTL and of a lock TTL, in ms. */
export const TTL_MIN_MS = 1_000;
export const TTL_MAX_MS = 600_000;
export const DEFAULT_SESSION_TTL_MS = 10_000;
/** Bounds of how long a preempt may wait in the queue, in ms. */
export const WAIT_MAX_MS = 300_000;
