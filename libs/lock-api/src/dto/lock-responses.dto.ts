import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class PreemptLockResponseDto {
  @ApiProperty({ example: 'build-lock' }) name!: string;
  @ApiProperty({ description: 'true when the caller holds the lock now' }) acquired!: boolean;
  @ApiProperty({ type: String, nullable: true, description: 'the holder (the caller when acquired)' })
  owner!: string | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    description:
      "the holder's fencing token: the log index of the granting entry; strictly increasing per lock",
    example: 42,
  })
  fencingToken!: number | null;
}

export class ReleaseLockResponseDto {
  @ApiProperty({ example: 'build-lock' }) name!: string;
  @ApiProperty() released!: boolean;
  @ApiPropertyOptional({ enum: ['not_held', 'not_owner'], description: 'why it was refused' })
  reason?: string;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'the current holder, when refused' })
  owner?: string | null;
}

export class CheckLockResponseDto {
  @ApiProperty({ example: 'build-lock' }) name!: string;
  @ApiProperty({ type: String, nullable: true, description: 'null when the lock is free' }) owner!:
    string | null;
  @ApiProperty({ type: Number, nullable: true }) fencingToken!: number | null;
  @ApiProperty({ description: "how many preempts wait in the lock's FIFO queue" }) waiters!: number;
  @ApiProperty({ description: 'the log index this answer reflects (follower reads may be stale)' })
  appliedIndex!: number;
  @ApiProperty({ description: 'id of the node that answered', example: 'n2' }) servedBy!: string;
}

export class LockSummaryDto {
  @ApiProperty() name!: string;
  @ApiProperty() owner!: string;
  @ApiProperty() fencingToken!: number;
}

export class ErrorResponseDto {
  @ApiProperty({ example: 400 }) statusCode!: number;
  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    example: ['clientId must be a UUID'],
  })
  message!: string | string[];
  @ApiProperty({ example: 'Bad Request' }) error!: string;
}

export class LockWatchEventDto {
  @ApiProperty({ enum: ['granted', 'released', 'expired'] }) type!: string;
  @ApiProperty() name!: string;
  @ApiProperty() owner!: string;
  @ApiProperty() fencingToken!: number;
  @ApiProperty({ description: 'the log index of the entry that made the change' }) index!: number;
}
