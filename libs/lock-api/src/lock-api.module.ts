import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CloseSessionHandler } from './commands/close-session.handler';
import { JoinClusterHandler } from './commands/join-cluster.handler';
import { KeepAliveHandler } from './commands/keep-alive.handler';
import { OpenSessionHandler } from './commands/open-session.handler';
import { RemoveMemberHandler } from './commands/remove-member.handler';
import { PreemptLockHandler } from './commands/preempt-lock.handler';
import { ReleaseLockHandler } from './commands/release-lock.handler';
import { LockOwnersProjection } from './events/lock-owners.projection';
import { ClusterHttpController } from './http/cluster.http.controller';
import { LocksHttpController } from './http/locks.http.controller';
import { SessionsHttpController } from './http/sessions.http.controller';
import { LeaderForwarder } from './leader-forwarder';
import { LockOwnersReadModel } from './lock-owners.read-model';
import { LockWatchHub } from './lock-watch.hub';
import { LockWriteService } from './lock-write.service';
import { ReadBarrier } from './read-barrier.service';
import { WaitingPreempts } from './waiting-preempts';
import { ClusterStatusHandler } from './queries/cluster-status.handler';
import { CheckLockHandler } from './queries/check-lock.handler';
import { ListLocksHandler } from './queries/list-locks.handler';
import { LocksTcpController } from './tcp/locks.tcp.controller';
import { ObservabilityModule } from './observability/observability.module';

const CommandHandlers = [
  PreemptLockHandler,
  ReleaseLockHandler,
  OpenSessionHandler,
  KeepAliveHandler,
  CloseSessionHandler,
  JoinClusterHandler,
  RemoveMemberHandler,
];
const QueryHandlers = [CheckLockHandler, ListLocksHandler, ClusterStatusHandler];

/** The client-facing side of a node: CQRS, the read model, HTTP and TCP controllers. */
@Module({
  imports: [CqrsModule, ObservabilityModule.forRoot()],
  controllers: [LocksHttpController, SessionsHttpController, ClusterHttpController, LocksTcpController],
  providers: [
    // Registers itself with the node's AppliedEntriesPublisher: applied entries reach the
    // read model in the apply step itself, not through the asynchronous CQRS event bus.
    LockOwnersProjection,
    LockOwnersReadModel,
    LockWatchHub,
    WaitingPreempts,
    LeaderForwarder,
    LockWriteService,
    ReadBarrier,
    ...CommandHandlers,
    ...QueryHandlers,
  ],
})
export class LockApiModule {}
