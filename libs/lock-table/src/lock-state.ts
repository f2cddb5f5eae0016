import type { LogIndex } from '@app/replicated-log';

/** A held lock. The fencing token is the log index of the granting entry. */
export interface LockState {
  name: string;
  owner: string;
  fencingToken: LogIndex;
}
