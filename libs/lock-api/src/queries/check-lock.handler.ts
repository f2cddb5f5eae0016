import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { CheckLockResponse } from '@app/protocol';
import { NODE_OPTIONS, type NodeOptions } from '@app/replica';
import { LockOwnersReadModel } from '../lock-owners.read-model';
import { CheckLockQuery } from './check-lock.query';

/** Answers from this node's own map: possibly stale, never uncommitted. */
@QueryHandler(CheckLockQuery)
export class CheckLockHandler implements IQueryHandler<CheckLockQuery> {
  constructor(
    private readonly readModel: LockOwnersReadModel,
    @Inject(NODE_OPTIONS) private readonly options: NodeOptions,
  ) {}

  async execute({ name }: CheckLockQuery): Promise<CheckLockResponse> {
    const lock = this.readModel.get(name);
    return {
      name,
      owner: lock?.owner ?? null,
      fencingToken: lock?.fencingToken ?? null,
      waiters: this.readModel.waiting(name),
      appliedIndex: this.readModel.appliedIndex,
      servedBy: this.options.id,
    };
  }
}
