import { Inject, Injectable } from '@nestjs/common';
import type { MessagePattern } from '@app/protocol';
import type { LockCommand, LockEvent, LockOutcome } from '@app/lock-table';
import { NODE_OPTIONS, ReplicaService, type NodeOptions } from '@app/replica';
import { LeaderForwarder } from './leader-forwarder';
import type { LockApiResult } from './lock-api-error';
import { LockOwnersReadModel } from './lock-owners.read-model';

/** A proposal this node made, once committed and applied here. */
export interface AppliedProposal {
  index: number;
  outcome: LockOutcome;
  events: readonly LockEvent[];
}

/** How a follower passes a write on to the leader. */
export interface ForwardAs {
  pattern: MessagePattern;
  payload: object;
  /** extra time the leader may take (a preempt waiting in a queue) */
  extraTimeoutMs?: number;
}

/**
 * The path every write takes: propose on the leader, or forward to it and then wait
 * until this node has applied the entry too, so the client reads its own write here.
 */
@Injectable()
export class LockWriteService {
  constructor(
    private readonly replica: ReplicaService,
    private readonly forwarder: LeaderForwarder,
    private readonly readModel: LockOwnersReadModel,
    @Inject(NODE_OPTIONS) private readonly options: NodeOptions,
  ) {}

  async write<R extends { index?: number }>(
    command: LockCommand,
    forwardAs: ForwardAs,
    forwardedBy: string | null,
    toResponse: (applied: AppliedProposal) => LockApiResult<R> | Promise<LockApiResult<R>>,
  ): Promise<LockApiResult<R>> {
    if (this.replica.isLeader) {
      const result = await this.replica.propose(command);
      if (result.type === 'notLeader') return { type: 'notLeader', leader: result.leader };
      if (result.type === 'unavailable') return result;
      return toResponse({ index: result.index, outcome: result.outcome!, events: result.events });
    }
    if (forwardedBy !== null) return { type: 'notLeader', leader: this.replica.leader() };
    const timeoutMs = this.options.requestTimeoutMs + (forwardAs.extraTimeoutMs ?? 0);
    const forwarded = await this.forwarder.forward<R>(forwardAs.pattern, forwardAs.payload, timeoutMs);
    if (forwarded.type !== 'ok') return forwarded;
    const index = forwarded.value.index!;
    if (!(await this.readModel.waitForIndex(index, this.options.requestTimeoutMs))) {
      return {
        type: 'unavailable',
        reason: `committed at index ${index} but not yet applied on this node; retry`,
      };
    }
    return forwarded;
  }
}
