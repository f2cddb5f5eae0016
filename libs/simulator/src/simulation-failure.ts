/** A broken safety or liveness property found by the simulator (not a bug in the simulator). */
export class InvariantViolation extends Error {
  override name = 'InvariantViolation';
}

export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InvariantViolation(message);
}

/** `check` for hot paths: the message is built only when the condition fails. */
export function ensure(condition: unknown, message: () => string): asserts condition {
  if (!condition) throw new InvariantViolation(message());
}
