import { Module, type DynamicModule } from '@nestjs/common';
import { InDoubtResolver } from './in-doubt-resolver.service';
import { ReplicaMembership } from './replica-membership.service';
import { REPLICA_OPTIONS, type ReplicaOptions } from './replica-options';
import { ReplicaService } from './replica.service';
import { ReplicaTcpController } from './replica.tcp.controller';

@Module({})
export class ReplicaModule {
  static forRoot(options: ReplicaOptions): DynamicModule {
    return {
      module: ReplicaModule,
      controllers: [ReplicaTcpController],
      providers: [
        { provide: REPLICA_OPTIONS, useValue: options },
        ReplicaService,
        InDoubtResolver,
        ReplicaMembership,
      ],
    };
  }
}
