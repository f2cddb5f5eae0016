import { Inject, Injectable } from '@nestjs/common';
import type { MessagePattern } from '@app/protocol';
import type { LockCommand, LockOutcome } from '@app/lock-table';
import { NODE_OPTIONS, ReplicaService, type NodeOptions } from '@app/replica';
import { LeaderForwarder } from './leader-forwarder';
import { ok, type LockApiResult } from './lock-api-error';
import { LockOwnersReadModel } from './lock-owners.read-model';

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
    pattern: MessagePattern,
    forwardedBy: string | null,
    toResponse: (outcome: LockOutcome, index: number) => R,
  ): Promise<LockApiResult<R>> {
    if (this.replica.isLeader) {
      const result = await this.replica.propose(command);
      if (result.type !== 'applied') return result.type === 'notLeader' ? { type: 'notLeader', leader: result.leader } : result;
      return ok(toResponse(result.outcome!, result.index));
    }
    if (forwardedBy !== null) return { type: 'notLeader', leader: this.replica.leader() };
    const forwarded = await this.forwarder.forward<R>(pattern, { name: command.name, clientId: command.clientId });
    if (forwarded.type !== 'ok') return forwarded;
    const index = forwarded.value.index!;
    if (!(await this.readModel.waitForIndex(index, this.options.requestTimeoutMs))) {
      return { type: 'unavailable', reason: `committed at index ${index} but not yet applied on this node; retry` };
    }
    return forwarded;
  }
}
