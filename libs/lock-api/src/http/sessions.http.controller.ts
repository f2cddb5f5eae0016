import { Body, Controller, Delete, HttpCode, Param, Post, UseInterceptors } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import {
  DEFAULT_SESSION_TTL_MS,
  type CloseSessionResponse,
  type KeepAliveResponse,
  type OpenSessionResponse,
} from '@app/protocol';
import { CloseSessionCommand } from '../commands/close-session.command';
import { KeepAliveCommand } from '../commands/keep-alive.command';
import { OpenSessionCommand } from '../commands/open-session.command';
import { ErrorResponseDto } from '../dto/lock-responses.dto';
import {
  CloseSessionResponseDto,
  KeepAliveResponseDto,
  OpenSessionBodyDto,
  SessionResponseDto,
} from '../dto/session.dto';
import { unwrapForHttp } from './http-errors';
import { SessionIdPipe } from './session-id.pipe';
import { RequestMetricsInterceptor } from '../metrics/request-metrics.interceptor';

const SESSION_PARAM = { name: 'sessionId', description: 'the secret returned by POST /sessions' };

@ApiTags('sessions')
@ApiBadRequestResponse({ type: ErrorResponseDto })
@ApiServiceUnavailableResponse({ description: 'no leader or no quorum; retry after the Retry-After header' })
@UseInterceptors(RequestMetricsInterceptor)
@Controller('sessions')
export class SessionsHttpController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @ApiOperation({
    summary: 'Open a session',
    description:
      'Locks taken with the session are freed when it ends: closed, or no keepalive for ttlMs. The sessionId is a secret.',
  })
  @ApiCreatedResponse({ type: SessionResponseDto })
  async open(@Body() body: OpenSessionBodyDto): Promise<OpenSessionResponse> {
    const request = { clientId: body.clientId, ttlMs: body.ttlMs ?? DEFAULT_SESSION_TTL_MS };
    const { sessionId, clientId, ttlMs } = unwrapForHttp(
      await this.commandBus.execute(new OpenSessionCommand(request)),
    );
    return { sessionId, clientId, ttlMs };
  }

  @Post(':sessionId/keepalive')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Keep a session alive for another ttlMs',
    description: 'Answered by the leader from memory (forwarded by followers): no log entry, no fsync.',
  })
  @ApiParam(SESSION_PARAM)
  @ApiOkResponse({ type: KeepAliveResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'unknown, closed or expired' })
  async keepAlive(@Param('sessionId', SessionIdPipe) sessionId: string): Promise<KeepAliveResponse> {
    return unwrapForHttp(await this.commandBus.execute(new KeepAliveCommand(sessionId)));
  }

  @Delete(':sessionId')
  @ApiOperation({ summary: 'Close a session, releasing every lock it holds' })
  @ApiParam(SESSION_PARAM)
  @ApiOkResponse({ type: CloseSessionResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'unknown, closed or expired' })
  async close(@Param('sessionId', SessionIdPipe) sessionId: string): Promise<CloseSessionResponse> {
    const { closed } = unwrapForHttp(await this.commandBus.execute(new CloseSessionCommand(sessionId)));
    return { sessionId, closed };
  }
}
