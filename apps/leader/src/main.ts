import 'reflect-metadata';
import { bootstrapNode } from '@app/lock-api';
import { applyBootstrapRule, exitOnStartupError, parseNodeOptions } from '@app/replica';
import { LeaderModule } from './leader.module';

async function main(): Promise<void> {
  const parsed = parseNodeOptions('leader', process.argv.slice(2), process.env);
  // An empty data directory next to a living cluster joins it rather than forking a new one.
  const options = await applyBootstrapRule(parsed);
  await bootstrapNode(LeaderModule.forRoot(options), options);
}

main().catch(exitOnStartupError);
