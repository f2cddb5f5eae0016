import { Module, type DynamicModule } from '@nestjs/common';
import { LockApiModule } from '@app/lock-api';
import { ReplicaModule, type NodeOptions } from '@app/replica';

/**
 * A leader node. It bootstraps a new cluster on an empty data directory and
 * leads it first; after that it is a node like any other.
 */
@Module({})
export class LeaderModule {
  static forRoot(options: NodeOptions): DynamicModule {
    return { module: LeaderModule, imports: [ReplicaModule.forRoot(options), LockApiModule] };
  }
}
