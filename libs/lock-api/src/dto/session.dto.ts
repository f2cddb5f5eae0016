import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { CLIENT_ID_PATTERN, DEFAULT_SESSION_TTL_MS, TTL_MAX_MS, TTL_MIN_MS } from '@app/protocol';

export class OpenSessionBodyDto {
  @ApiProperty({ format: 'uuid', example: '5f0c8a1e-7b9d-5c3e-9a41-0d2b6f7e8c11' })
  @Matches(CLIENT_ID_PATTERN, { message: 'clientId must be a UUID' })
  clientId!: string;

  @ApiPropertyOptional({
    minimum: TTL_MIN_MS,
    maximum: TTL_MAX_MS,
    default: DEFAULT_SESSION_TTL_MS,
    description: 'the session ends this many ms after its last keepalive (a lower bound)',
  })
  @IsOptional()
  @IsInt({ message: 'ttlMs must be an integer' })
  @Min(TTL_MIN_MS, { message: `ttlMs must be at least ${TTL_MIN_MS}` })
  @Max(TTL_MAX_MS, { message: `ttlMs must be at most ${TTL_MAX_MS}` })
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
