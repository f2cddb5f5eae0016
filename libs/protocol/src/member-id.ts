import { textRule } from './validation-rule';

/** A node's id in the cluster (`--id`): short, and safe in a file path and a log line. */
export const MEMBER_ID = textRule(/^[A-Za-z0-9._-]{1,64}$/, '1-64 of A-Z a-z 0-9 . _ -');

export function isMemberId(value: unknown): value is string {
  return MEMBER_ID.test(value);
}
