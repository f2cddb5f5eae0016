import 'reflect-metadata';
import { bootstrapNode } from '@app/lock-api';
import { exitOnStartupError, parseNodeOptions } from '@app/replica';
import { LeaderModule } from './leader.module';

async function main(): Promise<void> {
  const options = parseNodeOptions('leader', process.argv.slice(2), process.env);
  await bootstrapNode(LeaderModule.forRoot(options), options);
}

main().catch(exitOnStartupError);
