/** Exit codes of a one-shot CLI command. */
export const ExitCode = {
  ok: 0,
  /** The service answered, but said no: preempt not acquired, release not released. */
  refused: 1,
  /** Bad usage, invalid name, no node reachable, or an error answered by the service. */
  error: 2,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
