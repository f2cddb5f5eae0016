import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { MessagePatterns, type PreemptLockResponse } from '@app/protocol';
import { NODE_OPTIONS, ReplicaService, type NodeOptions } from '@app/replica';
import type { LockApiResult } from '../lock-api-error';
import { LockWriteService, type AppliedProposal } from '../lock-write.service';
import { WaitingPreempts } from '../waiting-preempts';
import { PreemptLockCommand } from './preempt-lock.command';
import { fromPreemptOutcome, fromWaitResult } from './preempt-response';

@CommandHandler(PreemptLockCommand)
export class PreemptLockHandler implements ICommandHandler<PreemptLockCommand> {
  constructor(
    private readonly writes: LockWriteService,
    private readonly waiting: WaitingPreempts,
    private readonly replica: ReplicaService,
    @Inject(NODE_OPTIONS) private readonly options: NodeOptions,
  ) {}

  execute({ request, forwardedBy }: PreemptLockCommand): Promise<LockApiResult<PreemptLockResponse>> {
    const waitMs = request.waitMs ?? 0;
    return this.writes.write(
      { type: 'preempt', ...request },
      { pattern: MessagePatterns.preempt, payload: request, extraTimeoutMs: waitMs },
      forwardedBy,
      (applied) => this.answer(applied, waitMs),
    );
  }

  /** A queued preempt is answered when the queue hands it the lock or it leaves. */
  private async answer(
    { outcome, index }: AppliedProposal,
    waitMs: number,
  ): Promise<LockApiResult<PreemptLockResponse>> {
    if (outcome.type !== 'queued') return fromPreemptOutcome(outcome, index);
    const result = await this.waiting.wait(outcome.waiterId, waitMs + this.options.requestTimeoutMs);
    return fromWaitResult(outcome.name, result, this.replica.table.ownerOf(outcome.name));
  }
}
