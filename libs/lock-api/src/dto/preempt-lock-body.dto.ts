import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { CLIENT_ID_PATTERN } from '@app/protocol';

export class PreemptLockBodyDto {
  @ApiProperty({ format: 'uuid', description: 'who asks; any UUID the client chose', example: '5f0c8a1e-7b9d-5c3e-9a41-0d2b6f7e8c11' })
  @Matches(CLIENT_ID_PATTERN, { message: 'clientId must be a UUID' })
  clientId!: string;

  @ApiPropertyOptional({ description: 'not supported yet: sessions arrive in a later release; sending it is a 400' })
  @IsOptional()
  sessionId?: unknown;

  @ApiPropertyOptional({ description: 'not supported yet: lock TTLs arrive in a later release; sending it is a 400' })
  @IsOptional()
  ttlMs?: unknown;

  @ApiPropertyOptional({ description: 'not supported yet: waiting acquire arrives in a later release; sending it is a 400' })
  @IsOptional()
  waitMs?: unknown;
}
