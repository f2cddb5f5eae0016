import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { CheckLockResponse } from '@app/protocol';
import { NODE_OPTIONS, type NodeOptions } from '@app/replica';
import { ok, type LockApiResult } from '../lock-api-error';
import { LockOwnersReadModel } from '../lock-owners.read-model';
import { ReadBarrier } from '../read-barrier.service';
import { CheckLockQuery } from './check-lock.query';

/** Answers from this node's own map: possibly stale unless asked otherwise, never uncommitted. */
@QueryHandler(CheckLockQuery)
export class CheckLockHandler implements IQueryHandler<CheckLockQuery> {
  constructor(
    private readonly readModel: LockOwnersReadModel,
    private readonly barrier: ReadBarrier,
    @Inject(NODE_OPTIONS) private readonly options: NodeOptions,
  ) {}

  async execute({ name, consistency, minIndex }: CheckLockQuery): Promise<LockApiResult<CheckLockResponse>> {
    if (consistency !== 'local' || minIndex > this.readModel.appliedIndex) {
      const ready = await this.barrier.wait(consistency, minIndex);
      if (ready.type !== 'ok') return ready;
    }
    const lock = this.readModel.get(name);
    return ok({
      name,
      owner: lock?.owner ?? null,
      fencingToken: lock?.fencingToken ?? null,
      waiters: this.readModel.waiting(name),
      appliedIndex: this.readModel.appliedIndex,
      servedBy: this.options.id,
    });
  }
}
