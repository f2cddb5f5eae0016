import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { MessagePatterns, type JoinClusterResponse } from '@app/protocol';
import { ReplicaService } from '@app/replica';
import { LeaderForwarder } from '../leader-forwarder';
import { ok, type LockApiResult } from '../lock-api-error';
import { RemoveMemberCommand } from './remove-member.command';

/** Removes one member through a replicated membership entry (one change at a time). */
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
    const current = this.replica.members;
    if (!current.some((m) => m.id === memberId))
      return { type: 'notFound', message: `${memberId} is not a member` };
    if (current.length === 1) return { type: 'badRequest', message: 'cannot remove the last member' };
    const result = await this.replica.changeMembership(current.filter((m) => m.id !== memberId));
    if (result.type === 'membershipChangePending')
      return { type: 'unavailable', reason: 'another membership change is in progress; retry' };
    if (result.type === 'notLeader') return { type: 'notLeader', leader: result.leader };
    if (result.type === 'unavailable') return result;
    return ok({
      members: this.replica.members.map((m) => ({ ...m })),
      leaderId: this.replica.leader()?.id ?? '',
    });
  }
}
