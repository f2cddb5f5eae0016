import { Module, type DynamicModule } from '@nestjs/common';
import { CoordinatorLeadership } from './coordinator-leadership.service';
import { COORDINATOR_OPTIONS, type CoordinatorOptions } from './coordinator-options';
import { CoordinatorHttpController } from './http/coordinator.http.controller';
import { RegisterHttpController } from './http/register.http.controller';
import { ReplicasHttpController } from './http/replicas.http.controller';
import { TransactionsHttpController } from './http/transactions.http.controller';
import { ReplicaFleet } from './replica-fleet';
import { ReplicaLocksWatcher } from './replica-locks.watcher';
import { TransactionCoordinator } from './transaction-coordinator.service';

@Module({})
export class CoordinatorModule {
  static forRoot(options: CoordinatorOptions): DynamicModule {
    return {
      module: CoordinatorModule,
      controllers: [
        RegisterHttpController,
        ReplicasHttpController,
        TransactionsHttpController,
        CoordinatorHttpController,
      ],
      providers: [
        { provide: COORDINATOR_OPTIONS, useValue: options },
        CoordinatorLeadership,
        ReplicaLocksWatcher,
        ReplicaFleet,
        TransactionCoordinator,
      ],
    };
  }
}
