import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { MessagePatterns, type JoinClusterResponse } from '@app/protocol';
import { PeerGate, ReplicaService } from '@app/replica';
import { planJoin, unreachable, type MembershipPlan } from '@app/replicated-log';
import { LeaderForwarder } from '../leader-forwarder';
import { ok, type LockApiResult } from '../lock-api-error';
import { JoinClusterCommand } from './join-cluster.command';

/**
 * Adds a node as a learner (the leader promotes it once it has caught up), or updates the
 * addresses of a known one, through a replicated membership entry. A known voter id with
 * another storage is refused: see planJoin.
 */
@CommandHandler(JoinClusterCommand)
export class JoinClusterHandler implements ICommandHandler<JoinClusterCommand> {
  constructor(
    private readonly replica: ReplicaService,
    private readonly forwarder: LeaderForwarder,
    private readonly gate: PeerGate,
  ) {}

  async execute({ member, forwardedBy }: JoinClusterCommand): Promise<LockApiResult<JoinClusterResponse>> {
    // A node of another cluster, or one without the cluster secret, is refused by every member.
    const admission = this.gate.admitJoin(member);
    if (admission.type === 'refused') return { type: 'badRequest', message: admission.message };
    if (!this.replica.isLeader) {
      if (forwardedBy !== null) return { type: 'notLeader', leader: this.replica.leader() };
      return this.forwarder.forward<JoinClusterResponse>(MessagePatterns.join, member);
    }
    const { id, tcpAddress, httpAddress, storageId } = member;
    const plan = planJoin(this.replica.members, { id, tcpAddress, httpAddress, storageId });
    const changed = await this.carryOut(plan);
    if (changed.type !== 'ok') return changed;
    const clusterId = this.gate.identity.id ?? undefined;
    return ok({
      members: this.replica.members.map((m) => ({ ...m })),
      leaderId: this.replica.self().id,
      clusterId,
    });
  }

  private async carryOut(plan: MembershipPlan): Promise<LockApiResult<null>> {
    switch (plan.type) {
      case 'unchanged':
        return ok(null);
      case 'refused':
      case 'notFound':
        return { type: 'badRequest', message: plan.reason };
      case 'change': {
        const result = await this.replica.changeMembership(plan.members);
        if (result.type === 'membershipChangePending')
          return { type: 'unavailable', reason: 'another membership change is in progress; retry' };
        if (result.type === 'notLeader') return { type: 'notLeader', leader: result.leader };
        return result.type === 'applied' ? ok(null) : result;
      }
      default:
        return unreachable(plan);
    }
  }
}
