import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiPayloadTooLargeResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import type { CheckLockResponse, LockSummary, PreemptLockResponse, ReleaseLockResponse } from '@app/protocol';
import { PreemptLockCommand } from '../commands/preempt-lock.command';
import { ReleaseLockCommand } from '../commands/release-lock.command';
import { ListLocksQueryDto } from '../dto/list-locks-query.dto';
import { CheckLockResponseDto, ErrorResponseDto, LockSummaryDto, PreemptLockResponseDto, ReleaseLockResponseDto } from '../dto/lock-responses.dto';
import { PreemptLockBodyDto } from '../dto/preempt-lock-body.dto';
import { ReleaseLockBodyDto } from '../dto/release-lock-body.dto';
import { CheckLockQuery } from '../queries/check-lock.query';
import { ListLocksQuery } from '../queries/list-locks.query';
import { rejectUnsupportedFields, unwrapForHttp } from './http-errors';
import { LockNamePipe } from './lock-name.pipe';

const NAME_PARAM = { name: 'name', description: '1-128 characters of A-Z a-z 0-9 . _ : -', example: 'build-lock' };

@ApiTags('locks')
@ApiBadRequestResponse({ type: ErrorResponseDto, description: 'a malformed name, body or query; the message names the field' })
@Controller('locks')
export class LocksHttpController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
  ) {}

  @Post(':name/preempt')
  @HttpCode(200)
  @ApiOperation({ summary: 'Take a lock if it is free', description: 'Forwarded to the leader; answered once a majority has the change on disk and this node has applied it. Preempting a lock you hold succeeds again with the same token.' })
  @ApiParam(NAME_PARAM)
  @ApiOkResponse({ type: PreemptLockResponseDto, description: 'granted' })
  @ApiConflictResponse({ type: PreemptLockResponseDto, description: 'held by another client (acquired: false)' })
  @ApiPayloadTooLargeResponse({ description: 'the body is larger than --max-body-bytes' })
  @ApiServiceUnavailableResponse({ description: 'no leader or no quorum; retry after the Retry-After header' })
  async preempt(
    @Param('name', LockNamePipe) name: string,
    @Body() body: PreemptLockBodyDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Omit<PreemptLockResponse, 'index'>> {
    rejectUnsupportedFields(body, ['sessionId', 'ttlMs', 'waitMs']);
    const { index: _index, ...response } = unwrapForHttp(await this.commandBus.execute(new PreemptLockCommand(name, body.clientId)));
    if (!response.acquired) res.status(409);
    return response;
  }

  @Post(':name/release')
  @HttpCode(200)
  @ApiOperation({ summary: 'Release a lock you hold' })
  @ApiParam(NAME_PARAM)
  @ApiOkResponse({ type: ReleaseLockResponseDto, description: 'released' })
  @ApiConflictResponse({ type: ReleaseLockResponseDto, description: 'not held, or held by another client' })
  @ApiPayloadTooLargeResponse({ description: 'the body is larger than --max-body-bytes' })
  @ApiServiceUnavailableResponse({ description: 'no leader or no quorum; retry after the Retry-After header' })
  async release(
    @Param('name', LockNamePipe) name: string,
    @Body() body: ReleaseLockBodyDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Omit<ReleaseLockResponse, 'index'>> {
    rejectUnsupportedFields(body, ['sessionId']);
    const { index: _index, ...response } = unwrapForHttp(await this.commandBus.execute(new ReleaseLockCommand(name, body.clientId)));
    if (!response.released) res.status(409);
    return response;
  }

  @Get(':name')
  @ApiOperation({ summary: 'Who holds a lock', description: "Answered from this node's applied map: it may lag the leader, never shows an uncommitted change, and says which index it reflects." })
  @ApiParam(NAME_PARAM)
  @ApiOkResponse({ type: CheckLockResponseDto })
  check(@Param('name', LockNamePipe) name: string): Promise<CheckLockResponse> {
    return this.queryBus.execute(new CheckLockQuery(name));
  }

  @Get()
  @ApiOperation({ summary: 'Every held lock (at most 10,000), sorted by name' })
  @ApiOkResponse({ type: [LockSummaryDto] })
  list(@Query() query: ListLocksQueryDto): Promise<LockSummary[]> {
    return this.queryBus.execute(new ListLocksQuery(query.prefix ?? ''));
  }
}
