import { Controller, Get, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { ClusterStatus } from '@app/protocol';
import { ClusterStatusDto, HealthDto } from '../dto/cluster-status.dto';
import { ClusterStatusQuery } from '../queries/cluster-status.query';

@ApiTags('cluster')
@Controller()
export class ClusterHttpController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get('cluster')
  @ApiOperation({ summary: "This node's view of the cluster: members, roles, term, leader, indexes, lag" })
  @ApiOkResponse({ type: ClusterStatusDto })
  cluster(): Promise<ClusterStatus> {
    return this.queryBus.execute(new ClusterStatusQuery());
  }

  @Get('health')
  @ApiOperation({ summary: 'Whether this node serves: it is a member and knows a leader' })
  @ApiOkResponse({ type: HealthDto })
  @ApiServiceUnavailableResponse({ type: HealthDto })
  async health(@Res({ passthrough: true }) res: Response): Promise<HealthDto> {
    const status = await this.queryBus.execute(new ClusterStatusQuery());
    const serves = status.leaderId !== null && status.members.some((m) => m.id === status.id);
    if (!serves) res.status(503).setHeader('Retry-After', '1');
    return { status: serves ? 'ok' : 'unavailable', id: status.id, role: status.role, leaderId: status.leaderId };
  }
}
