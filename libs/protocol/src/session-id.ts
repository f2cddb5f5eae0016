import { textRule } from './validation-rule';

/** Session ids are secrets: 128 random bits as 32 lowercase hex characters. */
export const SESSION_ID = textRule(/^[0-9a-f]{32}$/, '32 lowercase hex characters');
export const SESSION_ID_PATTERN = SESSION_ID.pattern;

export function isSessionId(value: unknown): value is string {
  return SESSION_ID.test(value);
}
