import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { ClusterStatus, MemberStatus } from '@app/protocol';
import { PeerGate, ReplicaService } from '@app/replica';
import type { Member, RaftStatus } from '@app/replicated-log';
import { ClusterStatusQuery } from './cluster-status.query';

/** This node's view of the cluster; follower progress is known only on the leader. */
@QueryHandler(ClusterStatusQuery)
export class ClusterStatusHandler implements IQueryHandler<ClusterStatusQuery> {
  constructor(
    private readonly replica: ReplicaService,
    private readonly gate: PeerGate,
  ) {}

  execute(): Promise<ClusterStatus> {
    const status = this.replica.status();
    const members = status.members.map((member) => memberStatus(status, member));
    const { id, term, leaderId, commitIndex, appliedIndex, lastIndex, snapshotIndex, firstLogIndex } = status;
    const self = status.members.find((m) => m.id === id);
    // A learner follows the leader like any follower, but says what it is.
    const role = self?.learner === true ? 'learner' : status.role;
    const { walBytes, snapshotsInstalled } = this.replica.storageStatus();
    const clusterId = this.gate.identity.id;
    const peerAuthentication = this.gate.authenticated ? 'hmac-sha256' : 'none';
    return Promise.resolve({
      id,
      clusterId,
      peerAuthentication,
      role,
      term,
      leaderId,
      commitIndex,
      appliedIndex,
      lastIndex,
      snapshotIndex,
      firstLogIndex,
      walBytes,
      snapshotsInstalled,
      members,
    });
  }
}

function memberStatus(status: RaftStatus, member: Member): MemberStatus {
  const isSelf = member.id === status.id;
  const progress = status.progress[member.id];
  const matchIndex =
    status.role !== 'leader' ? null : isSelf ? status.lastIndex : (progress?.matchIndex ?? 0);
  const { id, tcpAddress, httpAddress, storageId } = member;
  return {
    id,
    tcpAddress,
    httpAddress,
    storageId,
    role: roleOf(status, member),
    matchIndex,
    lag: matchIndex === null ? null : status.lastIndex - matchIndex,
  };
}

function roleOf(status: RaftStatus, member: Member): MemberStatus['role'] {
  if (member.learner === true) return 'learner';
  if (member.id === status.id) return status.role;
  if (member.id === status.leaderId) return 'leader';
  return status.leaderId ? 'follower' : 'unknown';
}
