import { Query } from '@nestjs/cqrs';
import type { LockSummary } from '@app/protocol';

export class ListLocksQuery extends Query<LockSummary[]> {
  constructor(readonly prefix: string) {
    super();
  }
}
