import { hostname, userInfo } from 'node:os';
import { v5 as uuidv5 } from 'uuid';

/**
 * Namespace of the default client IDs. Fixed forever: changing it would change every
 * user's default ID, and locks held under the old ID could no longer be released by them.
 */
export const CLIENT_ID_NAMESPACE = '3f6b1c52-8d0e-4f7a-9b2c-5e4d7a1c9f08';

/** A stable client ID per user and machine: uuid v5 of "user@host". */
export function defaultClientId(): string {
  return uuidv5(`${currentUserName()}@${hostname()}`, CLIENT_ID_NAMESPACE);
}

function currentUserName(): string {
  try {
    return userInfo().username;
  } catch (err: unknown) {
    // userInfo() throws a SystemError when the uid has no passwd entry (common in
    // containers); the environment or the numeric uid still identify the user.
    if ((err as NodeJS.ErrnoException).code === undefined) throw err;
    return process.env.USER ?? process.env.USERNAME ?? `uid-${process.getuid?.() ?? 'unknown'}`;
  }
}
