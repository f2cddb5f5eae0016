import { Query } from '@nestjs/cqrs';
import type { CheckLockResponse } from '@app/protocol';

export class CheckLockQuery extends Query<CheckLockResponse> {
  constructor(readonly name: string) {
    super();
  }
}
