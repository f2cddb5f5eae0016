import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { CLIENT_ID, REQUEST_ID, SESSION_ID, TTL_MS, WAIT_MS } from '@app/protocol';
import { FollowsRule } from './follows-rule';

export class PreemptLockBodyDto {
  @ApiProperty({
    format: 'uuid',
    description: 'who asks; any UUID the client chose',
    example: '5f0c8a1e-7b9d-5c3e-9a41-0d2b6f7e8c11',
  })
  @FollowsRule(CLIENT_ID)
  clientId!: string;

  @ApiPropertyOptional({
    description:
      'a session of this client (POST /sessions): the lock is freed when the session ends, and releasing it needs the same sessionId',
    example: '9f2c4e6a8b0d1f3e5a7c9e1b3d5f7a9c',
  })
  @IsOptional()
  @FollowsRule(SESSION_ID)
  sessionId?: string;

  @ApiPropertyOptional({
    minimum: TTL_MS.min,
    maximum: TTL_MS.max,
    description: 'the lock frees itself this many ms after the grant unless released earlier',
  })
  @IsOptional()
  @FollowsRule(TTL_MS)
  ttlMs?: number;

  @ApiPropertyOptional({
    minimum: WAIT_MS.min,
    maximum: WAIT_MS.max,
    description:
      'if the lock is held, wait in its FIFO queue up to this many ms (200 when granted, 409 when the time runs out)',
  })
  @IsOptional()
  @FollowsRule(WAIT_MS)
  waitMs?: number;

  @ApiPropertyOptional({
    minimum: REQUEST_ID.min,
    description:
      'a number this client never reuses for another request: a retry with the same requestId is applied once and gets the same answer',
  })
  @IsOptional()
  @FollowsRule(REQUEST_ID)
  requestId?: number;
}
