import { Controller, Get, Header, UseInterceptors } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ReplicaService } from '@app/replica';
import { NodeMetrics } from './node-metrics';
import { RequestMetricsInterceptor } from './request-metrics.interceptor';

@ApiTags('operations')
@UseInterceptors(RequestMetricsInterceptor)
@Controller()
export class MetricsController {
  constructor(
    private readonly metrics: NodeMetrics,
    private readonly replica: ReplicaService,
  ) {}

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Prometheus metrics of this node (text exposition format)' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'the metrics, one sample per line' })
  async scrape(): Promise<string> {
    this.metrics.observeStatus(this.replica.status());
    return this.metrics.registry.metrics();
  }
}
