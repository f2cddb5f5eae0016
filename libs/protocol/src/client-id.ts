import { textRule } from './validation-rule';

/** A client ID is a UUID of any version (the CLI derives a v5 one from user and host). */
export const CLIENT_ID = textRule(
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  'a UUID',
);
export const CLIENT_ID_PATTERN = CLIENT_ID.pattern;

export function isClientId(value: unknown): value is string {
  return CLIENT_ID.test(value);
}
