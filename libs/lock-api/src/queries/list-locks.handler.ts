import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { LIST_LOCKS_LIMIT, type LockSummary } from '@app/protocol';
import { LockOwnersReadModel } from '../lock-owners.read-model';
import { ListLocksQuery } from './list-locks.query';

@QueryHandler(ListLocksQuery)
export class ListLocksHandler implements IQueryHandler<ListLocksQuery> {
  constructor(private readonly readModel: LockOwnersReadModel) {}

  execute({ prefix }: ListLocksQuery): Promise<LockSummary[]> {
    return Promise.resolve(this.readModel.list(prefix, LIST_LOCKS_LIMIT));
  }
}
