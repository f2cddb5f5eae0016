import type { LockTable } from '@app/lock-table';
import { votersOf, type LogIndex, type NodeId, type Term } from '@app/replicated-log';
import { MS_PER_TICK } from './lock-workload';
import { InvariantViolation, check } from './simulation-failure';
import type { SimulatedCluster } from './simulated-cluster';

export interface ConvergedState {
  leaderId: NodeId;
  term: Term;
  commitIndex: LogIndex;
  locksHeld: number;
}

/**
 * The upper bound of a lock TTL at the end of a run: with every fault healed for the
 * liveness phase, no node still holds a lock this long past its TTL (a scan interval, a
 * commit round and the followers' next heartbeat fit in it many times over).
 */
export const TTL_END_SLACK_TICKS = 100;

/** A node's whole lock state (locks with their sessions and TTLs, waiters, sessions), for comparison. */
export function lockStateOf(table: LockTable): string {
  const { locks, waiters, sessions } = table.expiryState();
  return JSON.stringify({
    locks: [...locks].sort((a, b) => a.name.localeCompare(b.name)),
    waiters: [...waiters].sort((a, b) => a.waiterId - b.waiterId),
    sessions: [...sessions]
      .map((session) => ({ ...session, locks: [...session.locks].sort(), waiterIds: [...session.waiterIds] }))
      .sort((a, b) => a.sessionId.localeCompare(b.sessionId)),
  });
}

/**
 * Liveness, after every fault is over: one leader, every node up with the same commit and
 * applied index and the same lock state, every server joined, every acknowledged proposal
 * applied everywhere (invariant 6), and no lock held long past its TTL.
 */
export function checkConverged(
  cluster: SimulatedCluster,
  expectedMembers: number,
  tick: number,
): ConvergedState {
  check(cluster.upNodes().length === cluster.nodes.length, 'liveness: a node is still down');
  const leaders = cluster.liveLeaders();
  const [leaderNode] = leaders;
  check(
    leaderNode !== undefined && leaders.length === 1,
    `liveness: ${leaders.length} leaders after healing (${leaders.map((n) => n.id).join(', ')})`,
  );
  const leader = leaderNode.raft.status();
  const voters = votersOf(leader.members);
  check(
    voters.length === expectedMembers && leader.members.length === expectedMembers,
    `liveness: the leader's membership has ${voters.length} voters of ${expectedMembers} servers (${leader.members.length} members with learners)`,
  );
  for (const member of leader.members) {
    const server = cluster.node(member.id);
    check(
      server.storageId === member.storageId,
      `liveness: ${member.id} is a member with storage ${member.storageId}, but its directory is ${server.storageId}`,
    );
  }
  const leaderLocks = lockStateOf(leaderNode.table);
  for (const node of cluster.nodes) {
    const status = node.raft.status();
    const where = `liveness: ${node.id} (term ${status.term}, ${status.role})`;
    check(
      status.commitIndex === leader.commitIndex,
      `${where} has commit index ${status.commitIndex}, leader ${leader.id} has ${leader.commitIndex}`,
    );
    check(
      status.appliedIndex === status.commitIndex,
      `${where} applied ${status.appliedIndex} of ${status.commitIndex}`,
    );
    check(
      node.table.appliedIndex === status.commitIndex,
      `${where} lock table is at ${node.table.appliedIndex} of ${status.commitIndex}`,
    );
    check(lockStateOf(node.table) === leaderLocks, `${where} lock state differs from the leader's`);
    for (const lock of node.table.expiryState().locks)
      check(
        lock.expiresAtMs === null || lock.expiresAtMs > (tick - TTL_END_SLACK_TICKS) * MS_PER_TICK,
        `${where} still holds ${lock.name} (token ${lock.fencingToken}) at tick ${tick}, its TTL ended at ${lock.expiresAtMs} ms`,
      );
    cluster.checker.proposals.checkAllApplied(node.id, cluster.checker.appliedKeys(node.id));
  }
  return {
    leaderId: leader.id,
    term: leader.term,
    commitIndex: leader.commitIndex,
    locksHeld: leaderNode.table.size,
  };
}

/** The convergence check as a question: null when converged, else what is still wrong. */
export function convergenceGap(
  cluster: SimulatedCluster,
  expectedMembers: number,
  tick: number,
): string | null {
  try {
    checkConverged(cluster, expectedMembers, tick);
    return null;
  } catch (error) {
    if (error instanceof InvariantViolation) return error.message;
    throw error;
  }
}

/**
 * A number that grows while replication makes progress: every node's commit index plus
 * every leader's view of its followers' match indexes. A far-behind follower catching up
 * moves it even while nothing new can commit.
 */
export function replicationProgress(cluster: SimulatedCluster): number {
  let total = 0;
  for (const node of cluster.upNodes()) {
    const status = node.raft.status();
    total += status.commitIndex;
    for (const follower of Object.values(status.progress)) total += follower.matchIndex;
  }
  return total;
}
