import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

const VOTES_EXAMPLE = { r1: 'yes', r2: 'no', r3: 'yes' };

export class WriteCommittedDto {
  @ApiProperty({ enum: [true] }) committed!: true;
  @ApiProperty({ description: 'the version the write created', example: 4 }) version!: number;
  @ApiProperty({ example: 'tx-12-4' }) txId!: string;
}

export class WriteAbortedDto {
  @ApiProperty({ enum: [false] }) committed!: false;
  @ApiProperty({ example: 'tx-12-5' }) txId!: string;
  @ApiProperty({ example: 'r2 voted no: at random' }) reason!: string;
  @ApiProperty({
    description: 'each replica: yes, no, or timeout (no vote in time, or disconnected)',
    example: VOTES_EXAMPLE,
    type: 'object',
    additionalProperties: { type: 'string', enum: ['yes', 'no', 'timeout'] },
  })
  votes!: Record<string, string>;
}

export class RegisterValueDto {
  @ApiProperty({ nullable: true, type: String, example: 'blue', description: 'null before the first commit' })
  value!: string | null;
  @ApiProperty({ example: 4, description: 'how many writes have committed' }) version!: number;
}

export class ReplicaViewDto extends RegisterValueDto {
  @ApiProperty({ example: 'r1' }) id!: string;
  @ApiProperty({
    enum: ['idle', 'prepared', 'down'],
    description: 'prepared: voted yes, awaiting the decision',
  })
  state!: string;
  @ApiProperty({ description: 'its twopc-replica-<id> lock is held' }) connected!: boolean;
  @ApiProperty({ nullable: true, type: String }) preparedTxId!: string | null;
  @ApiProperty({ description: 'the highest coordinator fencing token this replica has seen' })
  highestToken!: number;
  @ApiProperty({ description: 'messages refused for a stale fencing token since the replica started' })
  refusedCount!: number;
  @ApiPropertyOptional({ description: 'why this replica could not be asked' }) error?: string;
}

export class TransactionTimingsDto {
  @ApiProperty({ example: '2026-11-30T00:01:02.345Z' }) startedAt!: string;
  @ApiProperty({ nullable: true, type: Number, description: 'from begin to the durable decision' })
  decidedAfterMs!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'from begin to the last acknowledgement' })
  completedAfterMs!: number | null;
}

export class TransactionViewDto {
  @ApiProperty({ example: 'tx-12-4' }) txId!: string;
  @ApiProperty({ nullable: true, type: String }) value!: string | null;
  @ApiProperty({ nullable: true, type: Number }) version!: number | null;
  @ApiProperty({ nullable: true, type: Number }) expectedVersion!: number | null;
  @ApiProperty({ nullable: true, type: String, description: 'the coordinator that began it' })
  coordinatorId!: string | null;
  @ApiProperty({ description: 'the fencing token it was begun under (0 when unknown)' })
  fencingToken!: number;
  @ApiProperty({ example: VOTES_EXAMPLE, type: 'object', additionalProperties: { type: 'string' } })
  votes!: Record<string, string>;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) voteReasons!: Record<
    string,
    string
  >;
  @ApiProperty({ nullable: true, enum: ['commit', 'abort'] }) decision!: string | null;
  @ApiProperty({ nullable: true, type: String }) reason!: string | null;
  @ApiProperty({ nullable: true, type: Number, description: 'the fencing token of the decision' })
  decidedUnderToken!: number | null;
  @ApiProperty({ description: 'every replica acknowledged the decision' }) complete!: boolean;
  @ApiProperty({ type: TransactionTimingsDto, nullable: true }) timings!: TransactionTimingsDto | null;
}

export class ResolveAnswerDto {
  @ApiProperty({ example: 'tx-12-4' }) txId!: string;
  @ApiProperty({
    nullable: true,
    enum: ['commit', 'abort'],
    description: 'null while votes are still being collected',
  })
  decision!: string | null;
  @ApiProperty({ description: "the answering coordinator's fencing token; a replica ignores a lower one" })
  fencingToken!: number;
}

export class CoordinatorStatusDto {
  @ApiProperty({ example: 'c1' }) id!: string;
  @ApiProperty({ description: 'holds twopc-coordinator and has recovered' }) active!: boolean;
  @ApiProperty({ nullable: true, type: Number }) fencingToken!: number | null;
  @ApiProperty({ type: [String], description: 'replicas whose membership lock is not held' })
  disconnected!: string[];
}

export class ErrorResponseDto {
  @ApiProperty() statusCode!: number;
  @ApiProperty() message!: string | string[];
  @ApiPropertyOptional() error?: string;
}
