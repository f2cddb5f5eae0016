import 'reflect-metadata';
import { CommanderError } from 'commander';
import { parseTwoPcOptions } from './cli/twopc-options';
import { startCoordinator } from './coordinator/start-coordinator';
import { runDemo } from './launcher/run-demo';
import { runService } from './launcher/run-service';
import { startReplica } from './replica/start-replica';

/** One bundle, four roles: a replica, a coordinator, the service launcher, the demo. */
async function main(): Promise<void> {
  const command = parseTwoPcOptions(process.argv.slice(2));
  switch (command.role) {
    case 'replica':
      await startReplica(command.options);
      return;
    case 'coordinator':
      await startCoordinator(command.options);
      return;
    case 'service':
      return runService(command.options);
    case 'demo':
      process.exitCode = await runDemo(command.options);
      return process.exit();
  }
}

main().catch((err: unknown) => {
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
  process.stderr.write(`twopc: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
