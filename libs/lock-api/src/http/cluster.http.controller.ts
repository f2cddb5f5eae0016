import { BadRequestException, Controller, Delete, Get, Param, Res, UseInterceptors } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { RemoveMemberCommand } from '../commands/remove-member.command';
import { ErrorResponseDto } from '../dto/lock-responses.dto';
import { unwrapForHttp } from './http-errors';
import type { Response } from 'express';
import { MEMBER_ID, type ClusterStatus } from '@app/protocol';
import { ClusterStatusDto, HealthDto } from '../dto/cluster-status.dto';
import { ClusterStatusQuery } from '../queries/cluster-status.query';
import { RequestMetricsInterceptor } from '../metrics/request-metrics.interceptor';

@ApiTags('cluster')
@UseInterceptors(RequestMetricsInterceptor)
@Controller()
export class ClusterHttpController {
  constructor(
    private readonly queryBus: QueryBus,
    private readonly commandBus: CommandBus,
  ) {}

  @Delete('cluster/members/:id')
  @ApiOperation({
    summary: 'Remove a member',
    description:
      'A replicated membership change; the majority is then counted without it. One change at a time. Stop the removed node afterwards.',
  })
  @ApiParam({ name: 'id', example: 'n3' })
  @ApiOkResponse({ description: 'the members after the change' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'not a member' })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'a malformed id, or the last member' })
  @ApiServiceUnavailableResponse({
    description: 'no leader, no quorum, or another change in progress; retry',
  })
  async removeMember(@Param('id') id: string): Promise<{ members: object[]; leaderId: string }> {
    if (!MEMBER_ID.test(id)) throw new BadRequestException(MEMBER_ID.message('id'));
    return unwrapForHttp(await this.commandBus.execute(new RemoveMemberCommand(id)));
  }

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
    return {
      status: serves ? 'ok' : 'unavailable',
      id: status.id,
      role: status.role,
      leaderId: status.leaderId,
    };
  }
}
