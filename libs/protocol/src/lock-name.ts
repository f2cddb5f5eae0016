import { textRule } from './validation-rule';

/** Lock names: 1-128 characters of A-Z a-z 0-9 . _ : - (safe in a URL path and a log line). */
export const LOCK_NAME_MAX_LENGTH = 128;
export const LOCK_NAME = textRule(/^[A-Za-z0-9._:-]{1,128}$/, '1-128 characters of A-Z a-z 0-9 . _ : -');
export const LOCK_NAME_PATTERN = LOCK_NAME.pattern;

/** A prefix to list locks by: what a lock name may start with, possibly empty. */
export const LOCK_NAME_PREFIX = textRule(
  /^[A-Za-z0-9._:-]{0,128}$/,
  'at most 128 characters of A-Z a-z 0-9 . _ : -',
);

/** `GET /locks` answers at most this many locks. */
export const LIST_LOCKS_LIMIT = 10_000;

export function isLockName(value: unknown): value is string {
  return LOCK_NAME.test(value);
}
