import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  Res,
  Sse,
  type MessageEvent,
  UseInterceptors,
} from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiProduces,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiPayloadTooLargeResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { map, type Observable } from 'rxjs';
import {
  LOCK_NAME,
  type CheckLockResponse,
  type LockSummary,
  type PreemptLockResponse,
  type ReleaseLockResponse,
} from '@app/protocol';
import { PreemptLockCommand } from '../commands/preempt-lock.command';
import { ReleaseLockCommand } from '../commands/release-lock.command';
import { CheckLockQueryDto } from '../dto/check-lock-query.dto';
import { ListLocksQueryDto } from '../dto/list-locks-query.dto';
import {
  CheckLockResponseDto,
  ErrorResponseDto,
  LockSummaryDto,
  LockWatchEventDto,
  PreemptLockResponseDto,
  ReleaseLockResponseDto,
} from '../dto/lock-responses.dto';
import { LockWatchHub } from '../lock-watch.hub';
import { PreemptLockBodyDto } from '../dto/preempt-lock-body.dto';
import { ReleaseLockBodyDto } from '../dto/release-lock-body.dto';
import { CheckLockQuery } from '../queries/check-lock.query';
import { ListLocksQuery } from '../queries/list-locks.query';
import { unwrapForHttp } from './http-errors';
import { LockNamePipe } from './lock-name.pipe';
import { RequestMetricsInterceptor } from '../metrics/request-metrics.interceptor';

const NAME_PARAM = {
  name: 'name',
  description: LOCK_NAME.format,
  example: 'build-lock',
};

@ApiTags('locks')
@ApiBadRequestResponse({
  type: ErrorResponseDto,
  description: 'a malformed name, body or query; the message names the field',
})
@UseInterceptors(RequestMetricsInterceptor)
@Controller('locks')
export class LocksHttpController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
    private readonly watchHub: LockWatchHub,
  ) {}

  @Post(':name/preempt')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Take a lock if it is free, or wait for it',
    description:
      'Forwarded to the leader; answered once a majority has the change on disk and this node has applied it. ' +
      'Preempting a lock you hold succeeds again with the same token. With waitMs the request waits in the ' +
      "lock's FIFO queue: the release that frees the lock grants it to the first waiter in the same step.",
  })
  @ApiParam(NAME_PARAM)
  @ApiOkResponse({ type: PreemptLockResponseDto, description: 'granted' })
  @ApiConflictResponse({
    type: PreemptLockResponseDto,
    description: 'held by another client (acquired: false), also when waitMs ran out',
  })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'sessionId is unknown, closed or expired' })
  @ApiPayloadTooLargeResponse({ description: 'the body is larger than --max-body-bytes' })
  @ApiServiceUnavailableResponse({
    description: 'no leader or no quorum; retry after the Retry-After header',
  })
  async preempt(
    @Param('name', LockNamePipe) name: string,
    @Body() body: PreemptLockBodyDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Omit<PreemptLockResponse, 'index'>> {
    const { clientId, sessionId, ttlMs, waitMs, requestId } = body;
    const request = { name, clientId, sessionId, ttlMs, waitMs, requestId };
    const { index: _index, ...response } = unwrapForHttp(
      await this.commandBus.execute(new PreemptLockCommand(request)),
    );
    if (!response.acquired) res.status(409);
    return response;
  }

  @Post(':name/release')
  @HttpCode(200)
  @ApiOperation({ summary: 'Release a lock you hold' })
  @ApiParam(NAME_PARAM)
  @ApiOkResponse({ type: ReleaseLockResponseDto, description: 'released' })
  @ApiConflictResponse({
    type: ReleaseLockResponseDto,
    description: 'not held, or held by another client, or a session lock without its sessionId',
  })
  @ApiPayloadTooLargeResponse({ description: 'the body is larger than --max-body-bytes' })
  @ApiServiceUnavailableResponse({
    description: 'no leader or no quorum; retry after the Retry-After header',
  })
  async release(
    @Param('name', LockNamePipe) name: string,
    @Body() body: ReleaseLockBodyDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Omit<ReleaseLockResponse, 'index'>> {
    const request = { name, clientId: body.clientId, sessionId: body.sessionId, requestId: body.requestId };
    const { index: _index, ...response } = unwrapForHttp(
      await this.commandBus.execute(new ReleaseLockCommand(request)),
    );
    if (!response.released) res.status(409);
    return response;
  }

  @Sse(':name/watch')
  @ApiOperation({
    summary: 'Watch a lock: a Server-Sent Events stream of granted, released and expired',
    description:
      'Each event is an entry this node applied (never an uncommitted change), with owner, fencingToken and the log index.',
  })
  @ApiParam(NAME_PARAM)
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    type: LockWatchEventDto,
    description: 'one SSE message per change; the event name is the type',
  })
  watch(@Param('name', LockNamePipe) name: string): Observable<MessageEvent> {
    return this.watchHub
      .watch(name)
      .pipe(map((event) => ({ type: event.type, id: String(event.index), data: event })));
  }

  @Get(':name')
  @ApiOperation({
    summary: 'Who holds a lock',
    description:
      "By default answered from this node's applied map: it may lag the leader, never shows an uncommitted change, and says which index it reflects. " +
      'consistency=linearizable confirms with the leader first; minIndex waits for a given index.',
  })
  @ApiServiceUnavailableResponse({
    description: 'a linearizable or minIndex read could not be served in time',
  })
  @ApiParam(NAME_PARAM)
  @ApiOkResponse({ type: CheckLockResponseDto })
  async check(
    @Param('name', LockNamePipe) name: string,
    @Query() query: CheckLockQueryDto,
  ): Promise<CheckLockResponse> {
    return unwrapForHttp(
      await this.queryBus.execute(
        new CheckLockQuery(name, query.consistency ?? 'local', query.minIndex ?? 0),
      ),
    );
  }

  @Get()
  @ApiOperation({ summary: 'Every held lock (at most 10,000), sorted by name' })
  @ApiOkResponse({ type: [LockSummaryDto] })
  list(@Query() query: ListLocksQueryDto): Promise<LockSummary[]> {
    return this.queryBus.execute(new ListLocksQuery(query.prefix ?? ''));
  }
}
