import 'reflect-metadata';
import { bootstrapNode } from '@app/lock-api';
import { exitOnStartupError, parseNodeOptions } from '@app/replica';
import { FollowerModule } from './follower.module';

async function main(): Promise<void> {
  const options = parseNodeOptions('follower', process.argv.slice(2), process.env);
  await bootstrapNode(FollowerModule.forRoot(options), options);
}

main().catch(exitOnStartupError);
