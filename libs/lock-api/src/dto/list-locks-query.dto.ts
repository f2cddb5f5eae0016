import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';

export class ListLocksQueryDto {
  @ApiPropertyOptional({ description: 'only locks whose name starts with this', example: 'fork:' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9._:-]{0,128}$/, {
    message: 'prefix must be at most 128 characters of A-Z a-z 0-9 . _ : -',
  })
  prefix?: string;
}
