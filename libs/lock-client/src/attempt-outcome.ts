import type { LockClientError } from './lock-client-error';

/** What one request to one node came to; the failover loop decides what to do next. */
export type AttemptOutcome<T> =
  | { kind: 'answered'; value: T }
  /** The node answered with an error another node would repeat (bad_request, ...). */
  | { kind: 'rejected'; error: LockClientError }
  /** The node does not lead but named the TCP address of the node that does. */
  | { kind: 'redirected'; leader: string; reason: string }
  /** The node could not serve the request; `connectionBroken` asks for a fresh proxy. */
  | { kind: 'node-failed'; reason: string; connectionBroken: boolean };

export type FailureOutcome = Exclude<AttemptOutcome<never>, { kind: 'answered' }>;
