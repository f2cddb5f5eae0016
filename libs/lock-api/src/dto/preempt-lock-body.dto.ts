import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { CLIENT_ID_PATTERN, SESSION_ID_PATTERN, TTL_MAX_MS, TTL_MIN_MS, WAIT_MAX_MS } from '@app/protocol';

export class PreemptLockBodyDto {
  @ApiProperty({
    format: 'uuid',
    description: 'who asks; any UUID the client chose',
    example: '5f0c8a1e-7b9d-5c3e-9a41-0d2b6f7e8c11',
  })
  @Matches(CLIENT_ID_PATTERN, { message: 'clientId must be a UUID' })
  clientId!: string;

  @ApiPropertyOptional({
    description:
      'a session of this client (POST /sessions): the lock is freed when the session ends, and releasing it needs the same sessionId',
    example: '9f2c4e6a8b0d1f3e5a7c9e1b3d5f7a9c',
  })
  @IsOptional()
  @Matches(SESSION_ID_PATTERN, { message: 'sessionId must be 32 lowercase hex characters' })
  sessionId?: string;

  @ApiPropertyOptional({
    minimum: TTL_MIN_MS,
    maximum: TTL_MAX_MS,
    description: 'the lock frees itself this many ms after the grant unless released earlier',
  })
  @IsOptional()
  @IsInt({ message: 'ttlMs must be an integer' })
  @Min(TTL_MIN_MS, { message: `ttlMs must be at least ${TTL_MIN_MS}` })
  @Max(TTL_MAX_MS, { message: `ttlMs must be at most ${TTL_MAX_MS}` })
  ttlMs?: number;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: WAIT_MAX_MS,
    description:
      'if the lock is held, wait in its FIFO queue up to this many ms (200 when granted, 409 when the time runs out)',
  })
  @IsOptional()
  @IsInt({ message: 'waitMs must be an integer' })
  @Min(0, { message: 'waitMs must be at least 0' })
  @Max(WAIT_MAX_MS, { message: `waitMs must be at most ${WAIT_MAX_MS}` })
  waitMs?: number;

  @ApiPropertyOptional({
    minimum: 1,
    description:
      'a number this client never reuses for another request: a retry with the same requestId is applied once and gets the same answer',
  })
  @IsOptional()
  @IsInt({ message: 'requestId must be a positive integer' })
  @Min(1, { message: 'requestId must be a positive integer' })
  requestId?: number;
}
