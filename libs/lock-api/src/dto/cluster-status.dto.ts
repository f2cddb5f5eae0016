import { ApiProperty } from '@nestjs/swagger';

export class MemberStatusDto {
  @ApiProperty({ example: 'n2' }) id!: string;
  @ApiProperty({ example: '127.0.0.1:8002' }) tcpAddress!: string;
  @ApiProperty({ example: '127.0.0.1:3002' }) httpAddress!: string;
  @ApiProperty({
    example: '3f2b9c1e-8d47-4a6b-9e0f-1c2d3e4f5a6b',
    description: "the identity of the member's data directory when it joined",
  })
  storageId!: string;
  @ApiProperty({
    enum: ['leader', 'follower', 'candidate', 'learner', 'unknown'],
    description: 'a learner receives the log but does not vote until it has caught up and is promoted',
  })
  role!: string;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: "on the leader: highest index on this member's disk",
  })
  matchIndex!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'on the leader: entries this member is behind' })
  lag!: number | null;
}

export class ClusterStatusDto {
  @ApiProperty({ example: 'n1' }) id!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    example: '0b5c8f1e-2d3a-4b6c-8d9e-0f1a2b3c4d5e',
    description: 'the cluster this node belongs to; null until a joining node has learned it',
  })
  clusterId!: string | null;
  @ApiProperty({
    enum: ['hmac-sha256', 'none'],
    description: "how peer messages are authenticated; 'none' when the node has no cluster secret",
  })
  peerAuthentication!: string;
  @ApiProperty({ enum: ['leader', 'follower', 'candidate', 'learner'] }) role!: string;
  @ApiProperty() term!: number;
  @ApiProperty({ type: String, nullable: true }) leaderId!: string | null;
  @ApiProperty() commitIndex!: number;
  @ApiProperty() appliedIndex!: number;
  @ApiProperty() lastIndex!: number;
  @ApiProperty({ description: "the latest snapshot's last included index on this node (0: none)" })
  snapshotIndex!: number;
  @ApiProperty({ description: 'the first log entry this node still holds; earlier ones are in the snapshot' })
  firstLogIndex!: number;
  @ApiProperty({ description: "the size of this node's WAL segment files, in bytes" })
  walBytes!: number;
  @ApiProperty({ description: 'snapshots this node installed from a leader since it started' })
  snapshotsInstalled!: number;
  @ApiProperty({ type: [MemberStatusDto] }) members!: MemberStatusDto[];
}

export class HealthDto {
  @ApiProperty({ enum: ['ok', 'unavailable'] }) status!: string;
  @ApiProperty({ example: 'n1' }) id!: string;
  @ApiProperty({ enum: ['leader', 'follower', 'candidate', 'learner'] }) role!: string;
  @ApiProperty({ type: String, nullable: true }) leaderId!: string | null;
}
