import { Subscription } from 'rxjs';
import type { LockClient } from '../lock-client';
import { LockClientError } from '../lock-client-error';
import { executeCommand, isRefusal } from './execute-command';
import { ExitCode } from './exit-codes';
import { parseLockCommand } from './lock-command';
import { formatStatusTable } from './format-top';
import { printJson, printJsonError } from './output';
import { runTop } from './run-top';

/** Runs one command given on the command line; prints JSON and returns the exit code. */
export async function runCommand(client: LockClient, words: readonly string[]): Promise<ExitCode> {
  const parsed = parseLockCommand(words);
  if (!parsed.ok) {
    printJsonError({ error: 'usage', message: parsed.message });
    return ExitCode.error;
  }
  const { command } = parsed;
  if (command.op === 'watch') return runWatch(client, command.name);
  if (command.op === 'top') return runTop(client, command);
  const outcome = await executeCommand(client, command);
  if (!outcome.ok) {
    printJsonError(outcome.failure);
    return ExitCode.error;
  }
  // A person at a terminal reads status as a table; a script gets its JSON.
  if (outcome.result.op === 'status' && process.stdout.isTTY)
    process.stdout.write(`${formatStatusTable(outcome.result.response)}\n`);
  // A one-shot session is not kept alive: closing the client stops its keepalives.
  else printJson(outcome.result.response);
  return isRefusal(outcome.result) ? ExitCode.refused : ExitCode.ok;
}

/**
 * Prints each event of the watch as a JSON line until SIGINT or SIGTERM (exit 0), or until
 * the stream fails (a JSON error on stderr, exit 2).
 */
export function runWatch(client: LockClient, name: string): Promise<ExitCode> {
  return new Promise<ExitCode>((resolve, reject) => {
    const finish = (code: ExitCode | Error) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      subscription.unsubscribe();
      if (code instanceof Error) reject(code);
      else resolve(code);
    };
    const stop = () => finish(ExitCode.ok);
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    // A container first: an error emitted during subscribe() may finish before it returns,
    // and a subscription added to a closed container is unsubscribed at once.
    const subscription = new Subscription();
    subscription.add(
      client.watch(name).subscribe({
        next: (event) => printJson(event),
        error: (err: unknown) => {
          // Anything but a LockClientError is a bug: main reports it.
          if (!(err instanceof LockClientError))
            return finish(err instanceof Error ? err : new Error(String(err)));
          printJsonError({ error: err.code, message: err.message });
          finish(ExitCode.error);
        },
        complete: () => finish(ExitCode.ok),
      }),
    );
  });
}
