import type { CommandFailure } from './execute-command';

/** One line of JSON on stdout: the response of a one-shot command. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** One line of JSON on stderr, so scripts can parse failures as well as answers. */
export function printJsonError(failure: CommandFailure): void {
  process.stderr.write(`${JSON.stringify(failure)}\n`);
}
