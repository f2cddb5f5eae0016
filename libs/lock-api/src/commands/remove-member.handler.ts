import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { MessagePatterns, type JoinClusterResponse } from '@app/protocol';
import { ReplicaService } from '@app/replica';
import { planRemoval } from '@app/replicated-log';
import { LeaderForwarder } from '../leader-forwarder';
import { ok, type LockApiResult } from '../lock-api-error';
import { RemoveMemberCommand } from './remove-member.command';

/**
 * Removes one member, voter or learner, through a replicated membership entry (one change
 * at a time). Removing a member whose data directory was lost is the way to let the same
 * id join again with new storage.
 */
@CommandHandler(RemoveMemberCommand)
export class RemoveMemberHandler implements ICommandHandler<RemoveMemberCommand> {
  constructor(
    private readonly replica: ReplicaService,
    private readonly forwarder: LeaderForwarder,
  ) {}

  async execute({ memberId, forwardedBy }: RemoveMemberCommand): Promise<LockApiResult<JoinClusterResponse>> {
    if (!this.replica.isLeader) {
      if (forwardedBy !== null) return { type: 'notLeader', leader: this.replica.leader() };
      return this.forwarder.forward<JoinClusterResponse>(MessagePatterns.removeMember, { id: memberId });
    }
    const plan = planRemoval(this.replica.members, memberId);
    if (plan.type === 'notFound') return { type: 'notFound', message: plan.reason };
    if (plan.type === 'refused') return { type: 'badRequest', message: plan.reason };
    if (plan.type === 'unchanged') return ok(this.membersNow());
    const result = await this.replica.changeMembership(plan.members);
    if (result.type === 'membershipChangePending')
      return { type: 'unavailable', reason: 'another membership change is in progress; retry' };
    if (result.type === 'notLeader') return { type: 'notLeader', leader: result.leader };
    if (result.type === 'unavailable') return result;
    return ok(this.membersNow());
  }

  private membersNow(): JoinClusterResponse {
    return {
      members: this.replica.members.map((m) => ({ ...m })),
      leaderId: this.replica.leader()?.id ?? '',
    };
  }
}
