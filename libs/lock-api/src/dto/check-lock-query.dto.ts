import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Min } from 'class-validator';

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
    minimum: 0,
    description:
      'answer only once this node has applied this log index (e.g. the index of your own last write)',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'minIndex must be a non-negative integer' })
  @Min(0, { message: 'minIndex must be a non-negative integer' })
  minIndex?: number;
}
