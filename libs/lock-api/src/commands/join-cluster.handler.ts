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
    // A node that has not learned its own cluster id yet can answer later; a refusal is final.
    if (admission.type === 'refused' && admission.reason === 'no-cluster-yet')
      return { type: 'unavailable', reason: admission.message };
    if (admission.type === 'refused') return { type: 'badRequest', message: admission.message };
    const { id, tcpAddress, httpAddress, storageId } = member;
    const plan = planJoin(this.replica.members, { id, tcpAddress, httpAddress, storageId });
    // A member asking only for the cluster id (its data directory predates cluster ids) is
    // answered by any member: the leader may itself be waiting for that member's vote.
    if (plan.type === 'unchanged')
      return ok(this.answer(this.replica.leader()?.id ?? this.replica.self().id));
    if (!this.replica.isLeader) {
      if (forwardedBy !== null) return { type: 'notLeader', leader: this.replica.leader() };
      return this.forwarder.forward<JoinClusterResponse>(MessagePatterns.join, member);
    }
    const changed = await this.carryOut(plan);
    if (changed.type !== 'ok') return changed;
    return ok(this.answer(this.replica.self().id));
  }

  private answer(leaderId: string): JoinClusterResponse {
    const clusterId = this.gate.identity.id ?? undefined;
    return { members: this.replica.members.map((m) => ({ ...m })), leaderId, clusterId };
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
