import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { MessagePatterns, type JoinClusterResponse } from '@app/protocol';
import { ReplicaService } from '@app/replica';
import { LeaderForwarder } from '../leader-forwarder';
import { ok, type LockApiResult } from '../lock-api-error';
import { JoinClusterCommand } from './join-cluster.command';

/** Adds (or re-addresses) one member through a replicated membership entry. */
@CommandHandler(JoinClusterCommand)
export class JoinClusterHandler implements ICommandHandler<JoinClusterCommand> {
  constructor(
    private readonly replica: ReplicaService,
    private readonly forwarder: LeaderForwarder,
  ) {}

  async execute({ member, forwardedBy }: JoinClusterCommand): Promise<LockApiResult<JoinClusterResponse>> {
    if (!this.replica.isLeader) {
      if (forwardedBy !== null) return { type: 'notLeader', leader: this.replica.leader() };
      return this.forwarder.forward<JoinClusterResponse>(MessagePatterns.join, member);
    }
    const current = this.replica.members;
    const known = current.find((m) => m.id === member.id);
    const unchanged = known?.tcpAddress === member.tcpAddress && known.httpAddress === member.httpAddress;
    if (!unchanged) {
      const next = [...current.filter((m) => m.id !== member.id), { ...member }];
      const result = await this.replica.changeMembership(next);
      if (result.type === 'membershipChangePending') {
        return { type: 'unavailable', reason: 'another membership change is in progress; retry' };
      }
      if (result.type !== 'applied')
        return result.type === 'notLeader' ? { type: 'notLeader', leader: result.leader } : result;
    }
    return ok({ members: this.replica.members.map((m) => ({ ...m })), leaderId: this.replica.self().id });
  }
}
