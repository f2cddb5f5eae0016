import { Query } from '@nestjs/cqrs';
import type { CheckLockResponse } from '@app/protocol';
import type { LockApiResult } from '../lock-api-error';

export type ReadConsistency = 'local' | 'linearizable';

export class CheckLockQuery extends Query<LockApiResult<CheckLockResponse>> {
  constructor(
    readonly name: string,
    /** local: this node's applied map; linearizable: confirmed with the leader first */
    readonly consistency: ReadConsistency = 'local',
    /** answer only once this node has applied at least this index (read your own write) */
    readonly minIndex = 0,
  ) {
    super();
  }
}
