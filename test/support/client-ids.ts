import { v4 as uuidv4 } from 'uuid';

/** A fresh client id, as any SDK user would pick. */
export function newClientId(): string {
  return uuidv4();
}
