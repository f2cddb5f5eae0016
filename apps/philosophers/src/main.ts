import { Logger } from '@nestjs/common';
import { CommanderError } from 'commander';
import { runPhilosopher } from './philosopher';
import { EXIT_ERROR, EXIT_OK, runTable } from './run-table';
import { parseTableOptions } from './table-options';

/**
 * The dining philosophers on Latchkey. Started plainly it is the table: it seats one child
 * process per philosopher (this same program with `--role philosopher`), runs the dinner
 * and reports. Each philosopher is a Latchkey client of its own; the forks are locks.
 */
function main(argv: readonly string[]): void {
  // The Nest TCP transport of the SDK logs through Nest's Logger; the table prints what matters.
  Logger.overrideLogger(false);
  const role = argv.indexOf('--role');
  if (role >= 0 && argv[role + 1] === 'philosopher') return runPhilosopher();
  let options;
  try {
    options = parseTableOptions(argv);
  } catch (err: unknown) {
    // Commander has printed the help or the usage error already.
    if (!(err instanceof CommanderError)) throw err;
    process.exitCode = err.exitCode === 0 ? EXIT_OK : EXIT_ERROR;
    return;
  }
  runTable(options).then(
    // Exit once stdout has drained: a fault timer of an interrupted dinner may still be pending.
    (code) => process.stdout.write('', () => process.exit(code)),
    (err: unknown) => {
      process.stderr.write(`philosophers: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exitCode = EXIT_ERROR;
    },
  );
}

main(process.argv);
