import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { CLIENT_ID, DEFAULT_SESSION_TTL_MS, TTL_MS } from '@app/protocol';
import { FollowsRule } from './follows-rule';

export class OpenSessionBodyDto {
  @ApiProperty({ format: 'uuid', example: '5f0c8a1e-7b9d-5c3e-9a41-0d2b6f7e8c11' })
  @FollowsRule(CLIENT_ID)
  clientId!: string;

  @ApiPropertyOptional({
    minimum: TTL_MS.min,
    maximum: TTL_MS.max,
    default: DEFAULT_SESSION_TTL_MS,
    description: 'the session ends this many ms after its last keepalive (a lower bound)',
  })
  @IsOptional()
  @FollowsRule(TTL_MS)
  ttlMs?: number;
}

export class SessionResponseDto {
  @ApiProperty({
    description: "a secret: keep it; it proves ownership of the session's locks",
    example: '9f2c4e6a8b0d1f3e5a7c9e1b3d5f7a9c',
  })
  sessionId!: string;
  @ApiProperty({ format: 'uuid' }) clientId!: string;
  @ApiProperty({ example: 10000 }) ttlMs!: number;
}

export class KeepAliveResponseDto {
  @ApiProperty() sessionId!: string;
  @ApiProperty({ example: 10000 }) ttlMs!: number;
}

export class CloseSessionResponseDto {
  @ApiProperty() sessionId!: string;
  @ApiProperty({ enum: [true] }) closed!: boolean;
}
