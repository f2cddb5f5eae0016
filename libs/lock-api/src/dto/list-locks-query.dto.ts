import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { LOCK_NAME_PREFIX } from '@app/protocol';
import { FollowsRule } from './follows-rule';

export class ListLocksQueryDto {
  @ApiPropertyOptional({ description: 'only locks whose name starts with this', example: 'fork:' })
  @IsOptional()
  @FollowsRule(LOCK_NAME_PREFIX)
  prefix?: string;
}
