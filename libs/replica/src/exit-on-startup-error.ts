import { CommanderError } from 'commander';

/**
 * The one place a startup failure is turned into a message and an exit code: bad
 * options, a corrupt WAL, a port in use. Nothing below main() catches these.
 */
export function exitOnStartupError(error: unknown): never {
  if (error instanceof CommanderError) {
    process.exit(error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? 0 : 2);
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`latchkey: cannot start: ${message}\n`);
  process.exit(1);
}
