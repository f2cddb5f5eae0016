import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Matches, Min } from 'class-validator';
import { CLIENT_ID_PATTERN, SESSION_ID_PATTERN } from '@app/protocol';

export class ReleaseLockBodyDto {
  @ApiProperty({
    format: 'uuid',
    description: 'must be the current owner',
    example: '5f0c8a1e-7b9d-5c3e-9a41-0d2b6f7e8c11',
  })
  @Matches(CLIENT_ID_PATTERN, { message: 'clientId must be a UUID' })
  clientId!: string;

  @ApiPropertyOptional({
    description:
      'required when the lock was taken with a session: the owner id alone is public, the session id is the proof',
  })
  @IsOptional()
  @Matches(SESSION_ID_PATTERN, { message: 'sessionId must be 32 lowercase hex characters' })
  sessionId?: string;

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
