import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { ClusterStatus } from '@app/protocol';
import { ReplicaService } from '@app/replica';
import { ClusterStatusQuery } from './cluster-status.query';

/** This node's view of the cluster; follower progress is known only on the leader. */
@QueryHandler(ClusterStatusQuery)
export class ClusterStatusHandler implements IQueryHandler<ClusterStatusQuery> {
  constructor(private readonly replica: ReplicaService) {}

  execute(): Promise<ClusterStatus> {
    return Promise.resolve(this.view());
  }

  private view(): ClusterStatus {
    const status = this.replica.status();
    const members = status.members.map((member) => {
      const isSelf = member.id === status.id;
      const progress = status.progress[member.id];
      const matchIndex =
        status.role !== 'leader' ? null : isSelf ? status.lastIndex : (progress?.matchIndex ?? 0);
      return {
        ...member,
        role: isSelf
          ? status.role
          : member.id === status.leaderId
            ? ('leader' as const)
            : status.leaderId
              ? ('follower' as const)
              : ('unknown' as const),
        matchIndex,
        lag: matchIndex === null ? null : status.lastIndex - matchIndex,
      };
    });
    const { id, role, term, leaderId, commitIndex, appliedIndex, lastIndex } = status;
    return { id, role, term, leaderId, commitIndex, appliedIndex, lastIndex, members };
  }
}
