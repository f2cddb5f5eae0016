import { Controller, Get, UseInterceptors } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckResult,
} from '@nestjs/terminus';
import { ReplicaService } from '@app/replica';
import { readinessOf } from './readiness';
import { RequestMetricsInterceptor } from '../metrics/request-metrics.interceptor';

/** Readiness for load balancers and orchestrators; liveness stays at GET /health. */
@ApiTags('operations')
@UseInterceptors(RequestMetricsInterceptor)
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly replica: ReplicaService,
  ) {}

  @Get('ready')
  @HealthCheck()
  @ApiOperation({
    summary: 'Readiness: a member that knows a leader and has applied (nearly) all it knows committed',
  })
  @ApiOkResponse({ description: '{status: "ok", info: {raft: {...}}}' })
  @ApiServiceUnavailableResponse({ description: '{status: "error", error: {raft: {reason, ...}}}' })
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      () => {
        const status = this.replica.status();
        const readiness = readinessOf(status);
        const figures = {
          role: status.role,
          term: status.term,
          leaderId: status.leaderId,
          commitIndex: status.commitIndex,
          appliedIndex: status.appliedIndex,
        };
        const raft = this.indicators.check('raft');
        return readiness.ready ? raft.up(figures) : raft.down({ reason: readiness.reason, ...figures });
      },
    ]);
  }
}
