import { Query } from '@nestjs/cqrs';
import type { ClusterStatus } from '@app/protocol';

export class ClusterStatusQuery extends Query<ClusterStatus> {}
