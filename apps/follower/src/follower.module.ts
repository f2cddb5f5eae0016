import { Module, type DynamicModule } from '@nestjs/common';
import { LockApiModule } from '@app/lock-api';
import { ReplicaModule, type NodeOptions } from '@app/replica';

/**
 * A follower node. It joins the cluster through --join and answers checks from its own
 * replicated map.
 */
@Module({})
export class FollowerModule {
  static forRoot(options: NodeOptions): DynamicModule {
    return { module: FollowerModule, imports: [ReplicaModule.forRoot(options), LockApiModule] };
  }
}
