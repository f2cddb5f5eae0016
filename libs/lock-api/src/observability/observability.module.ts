import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { NODE_OPTIONS, PeerGate, ReplicaService, type NodeOptions } from '@app/replica';
import { DashboardChanges } from '../dashboard/dashboard-changes';
import { DashboardController } from '../dashboard/dashboard.controller';
import { LockActivity } from '../dashboard/lock-activity';
import { LockActivityProjection } from '../dashboard/lock-activity.projection';
import { LockActivityTcpController } from '../dashboard/lock-activity.tcp.controller';
import { HealthController } from '../health/health.controller';
import { MetricsController } from '../metrics/metrics.controller';
import { NodeMetrics } from '../metrics/node-metrics';
import { RequestMetricsInterceptor } from '../metrics/request-metrics.interceptor';
import { ClusterWatcher } from './cluster-watcher.service';
import { LogContext } from './log-context';
import { loggerParams } from './logger-params';
import { QuietNestLogger } from './quiet-nest-logger';

/** Logs, metrics, health and the dashboard of one node. */
@Module({})
export class ObservabilityModule {
  static forRoot(): DynamicModule {
    const logContext = new LogContext();
    return {
      module: ObservabilityModule,
      imports: [
        CqrsModule,
        TerminusModule.forRoot({ logger: false }),
        LoggerModule.forRootAsync({
          inject: [NODE_OPTIONS],
          useFactory: (options: NodeOptions) => loggerParams(options, logContext, process.env),
        }),
      ],
      controllers: [DashboardController, MetricsController, HealthController, LockActivityTcpController],
      providers: [
        { provide: LogContext, useValue: logContext },
        {
          provide: NodeMetrics,
          inject: [NODE_OPTIONS, ReplicaService, PeerGate],
          useFactory: (options: NodeOptions, replica: ReplicaService, gate: PeerGate) => {
            const metrics = new NodeMetrics(options.id);
            replica.persistObserver = (ms, entries, synced) => metrics.observePersist(ms, entries, synced);
            gate.refusalObserver = (reason) => metrics.observePeerRefusal(reason);
            return metrics;
          },
        },
        { provide: LockActivity, useFactory: () => new LockActivity() },
        RequestMetricsInterceptor,
        QuietNestLogger,
        DashboardChanges,
        ClusterWatcher,
        LockActivityProjection,
      ],
      exports: [QuietNestLogger, NodeMetrics, RequestMetricsInterceptor],
    };
  }
}
