import { integerRule } from './validation-rule';

/** Bounds of a session TTL and of a lock TTL, in ms. */
export const TTL_MIN_MS = 1_000;
export const TTL_MAX_MS = 600_000;
export const TTL_MS = integerRule(TTL_MIN_MS, TTL_MAX_MS);
export const DEFAULT_SESSION_TTL_MS = 10_000;

/** Bounds of how long a preempt may wait in the queue, in ms. */
export const WAIT_MAX_MS = 300_000;
export const WAIT_MS = integerRule(0, WAIT_MAX_MS);

/** A client's number for one request; a retry with it is applied once. */
export const REQUEST_ID = integerRule(1, Number.MAX_SAFE_INTEGER, 'a positive integer');

/** A log index a read waits for (`minIndex`). */
export const LOG_INDEX = integerRule(0, Number.MAX_SAFE_INTEGER, 'a non-negative integer');
