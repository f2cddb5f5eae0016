import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsOptional } from 'class-validator';
import { LOG_INDEX } from '@app/protocol';
import { FollowsRule } from './follows-rule';

export class CheckLockQueryDto {
  @ApiPropertyOptional({
    enum: ['local', 'linearizable'],
    default: 'local',
    description:
      "local: this node's applied map (may lag the leader). linearizable: the leader first confirms it still leads with a majority (ReadIndex) and this node waits until it has applied that index.",
  })
  @IsOptional()
  @IsIn(['local', 'linearizable'], { message: 'consistency must be local or linearizable' })
  consistency?: 'local' | 'linearizable';

  @ApiPropertyOptional({
    minimum: LOG_INDEX.min,
    description:
      'answer only once this node has applied this log index (e.g. the index of your own last write)',
  })
  @IsOptional()
  @Type(() => Number)
  @FollowsRule(LOG_INDEX)
  minIndex?: number;
}
