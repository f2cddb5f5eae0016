/** A broken safety or liveness property found by the simulator (not a bug in the simulator). */
export class InvariantViolation extends Error {
  override name = 'InvariantViolation';
}

export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InvariantViolation(message);
}
