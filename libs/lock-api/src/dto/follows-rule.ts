import { ValidateBy, type ValidationArguments } from 'class-validator';
import type { ValidationRule } from '@app/protocol';

/**
 * A class-validator decorator for a rule of `@app/protocol`: the DTOs check a field with
 * the very rule (and message) the TCP parsers and the peer validator use.
 */
export function FollowsRule(rule: ValidationRule<unknown>): PropertyDecorator {
  return ValidateBy({
    name: 'followsRule',
    validator: {
      validate: (value: unknown) => rule.test(value),
      defaultMessage: (args?: ValidationArguments) => rule.message(args?.property ?? 'value'),
    },
  });
}
