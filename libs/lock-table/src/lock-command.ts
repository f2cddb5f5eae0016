/** Commands the lock table applies, in log order, on every node. */
export type LockCommand =
  | { type: 'preempt'; name: string; clientId: string }
  | { type: 'release'; name: string; clientId: string };
