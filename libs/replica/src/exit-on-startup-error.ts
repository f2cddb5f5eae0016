import { CommanderError } from 'commander';

/**
 * The one place a startup failure is turned into a message and an exit code: bad
 * options, a corrupt WAL, a port in use. Nothing below main() catches these.
 */
export function exitOnStartupError(error: unknown): never {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') process.exit(0);
    // Commander printed its own parse errors; ours (checked after parsing) it did not.
    if (error.code === 'commander.invalidArgument') process.stderr.write(`latchkey: ${error.message}\n`);
    process.exit(2);
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`latchkey: cannot start: ${message}\n`);
  process.exit(1);
}
