import type { LockClient } from '../lock-client';
import { executeCommand, isRefusal } from './execute-command';
import { ExitCode } from './exit-codes';
import { parseLockCommand } from './lock-command';
import { printJson, printJsonError } from './output';

/** Runs one command given on the command line; prints JSON and returns the exit code. */
export async function runCommand(client: LockClient, words: readonly string[]): Promise<ExitCode> {
  const parsed = parseLockCommand(words);
  if (!parsed.ok) {
    printJsonError({ error: 'usage', message: parsed.message });
    return ExitCode.error;
  }
  const outcome = await executeCommand(client, parsed.command);
  if (!outcome.ok) {
    printJsonError(outcome.failure);
    return ExitCode.error;
  }
  printJson(outcome.result.response);
  return isRefusal(outcome.result) ? ExitCode.refused : ExitCode.ok;
}
