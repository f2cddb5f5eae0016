import { Logger } from '@nestjs/common';
import { CommanderError } from 'commander';
import { LockClient } from '../lock-client';
import { parseCliArgs } from './cli-options';
import type { CliInvocation } from './cli-options';
import { ExitCode } from './exit-codes';
import { printJsonError } from './output';
import { runRepl } from './repl';
import { runCommand } from './run-command';

// The Nest TCP transport logs through Nest's Logger; a CLI's output is its answers only.
Logger.overrideLogger(false);

async function main(argv: readonly string[]): Promise<ExitCode> {
  const invocation = parseInvocation(argv);
  if (typeof invocation === 'number') return invocation;
  const client = new LockClient({
    nodes: invocation.nodes,
    clientId: invocation.clientId,
    requestTimeoutMs: invocation.requestTimeoutMs,
  });
  try {
    if (invocation.words.length > 0) return await runCommand(client, invocation.words);
    await runRepl(client, { address: invocation.nodes[0], json: invocation.json });
    return ExitCode.ok;
  } finally {
    await client.close();
  }
}

/** Commander has already printed help or the usage error; only the exit code is left. */
function parseInvocation(argv: readonly string[]): CliInvocation | ExitCode {
  try {
    return parseCliArgs(argv);
  } catch (err: unknown) {
    if (!(err instanceof CommanderError)) throw err;
    return err.exitCode === 0 ? ExitCode.ok : ExitCode.error;
  }
}

// Exit by exit code, not process.exit(): stdout may still be flushing into a pipe.
main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // Last resort for bugs: report them the way every other failure is reported.
    printJsonError({ error: 'internal', message: err instanceof Error ? err.message : String(err) });
    process.exitCode = ExitCode.error;
  },
);
