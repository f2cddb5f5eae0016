import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { CLIENT_ID, REQUEST_ID, SESSION_ID } from '@app/protocol';
import { FollowsRule } from './follows-rule';

export class ReleaseLockBodyDto {
  @ApiProperty({
    format: 'uuid',
    description: 'must be the current owner',
    example: '5f0c8a1e-7b9d-5c3e-9a41-0d2b6f7e8c11',
  })
  @FollowsRule(CLIENT_ID)
  clientId!: string;

  @ApiPropertyOptional({
    description:
      'required when the lock was taken with a session: the owner id alone is public, the session id is the proof',
  })
  @IsOptional()
  @FollowsRule(SESSION_ID)
  sessionId?: string;

  @ApiPropertyOptional({
    minimum: REQUEST_ID.min,
    description:
      'a number this client never reuses for another request: a retry with the same requestId is applied once and gets the same answer',
  })
  @IsOptional()
  @FollowsRule(REQUEST_ID)
  requestId?: number;
}
