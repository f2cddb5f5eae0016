/**
 * One validation rule, written once and used by every edge that accepts the value: the
 * HTTP DTOs and pipes, the TCP payload parsers, the node's option parser, and the check
 * of replication messages. `message(field)` is the one wording clients see, naming the
 * field ("ttlMs must be an integer from 1000 to 600000").
 */
export interface ValidationRule<T> {
  /** what a valid value is, e.g. "a UUID" */
  readonly format: string;
  test(value: unknown): value is T;
  message(field: string): string;
}

/** A string rule: `pattern` must match the whole value. */
export interface TextRule extends ValidationRule<string> {
  readonly pattern: RegExp;
}

/** An integer rule with inclusive bounds. */
export interface IntegerRule extends ValidationRule<number> {
  readonly min: number;
  readonly max: number;
}

export function textRule(pattern: RegExp, format: string): TextRule {
  return {
    pattern,
    format,
    test: (value: unknown): value is string => typeof value === 'string' && pattern.test(value),
    message: (field) => `${field} must be ${format}`,
  };
}

/** `format` defaults to "an integer from MIN to MAX". */
export function integerRule(
  min: number,
  max: number,
  format = `an integer from ${min} to ${max}`,
): IntegerRule {
  return {
    min,
    max,
    format,
    test: (value: unknown): value is number =>
      typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max,
    message: (field) => `${field} must be ${format}`,
  };
}
