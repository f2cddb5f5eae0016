import { NO_CORE_FIX_REVERTS, type CoreFixRevert } from './core-fix-revert';
import type { NodeId } from './ids';
import { isVoterMember, votersOf, type Member } from './member';

/** What a join or a removal asks of the membership, decided before anything is proposed. */
export type MembershipPlan =
  | { type: 'change'; members: Member[] }
  | { type: 'unchanged' }
  | { type: 'refused'; reason: string }
  | { type: 'notFound'; reason: string };

/**
 * A joining node enters as a learner (thesis 4.2.1); the leader promotes it once it has
 * caught up. A known id coming back with its own storage only updates its addresses. A
 * known voter id coming back with a different storage is refused: it has lost the log and
 * the votes that its place in every majority stands for, so it may join again only after
 * the old member has been removed. A learner holds no such place and is simply replaced.
 */
export function planJoin(
  current: readonly Member[],
  joiner: Member,
  testOnlyReverts: ReadonlySet<CoreFixRevert> = NO_CORE_FIX_REVERTS,
): MembershipPlan {
  const known = current.find((m) => m.id === joiner.id);
  const learner = !testOnlyReverts.has('join-without-learner-stage');
  if (known === undefined) return { type: 'change', members: [...current, { ...joiner, learner }] };
  if (known.storageId !== joiner.storageId) {
    if (isVoterMember(known)) return { type: 'refused', reason: storageMismatchReason(joiner.id) };
    return { type: 'change', members: replace(current, { ...joiner, learner: true }) };
  }
  if (known.tcpAddress === joiner.tcpAddress && known.httpAddress === joiner.httpAddress)
    return { type: 'unchanged' };
  const readdressed: Member = { ...known, tcpAddress: joiner.tcpAddress, httpAddress: joiner.httpAddress };
  return { type: 'change', members: replace(current, readdressed) };
}

/** Removes a voter or a learner; the last voter stays. */
export function planRemoval(current: readonly Member[], id: NodeId): MembershipPlan {
  const known = current.find((m) => m.id === id);
  if (known === undefined) return { type: 'notFound', reason: `${id} is not a member` };
  if (isVoterMember(known) && votersOf(current).length === 1)
    return { type: 'refused', reason: 'cannot remove the last voting member' };
  return { type: 'change', members: current.filter((m) => m.id !== id) };
}

/** The way out, in the words an operator needs. */
export function storageMismatchReason(id: NodeId): string {
  return (
    `${id} is already a voting member with different storage: this node's data directory is new ` +
    `or was wiped, and a node with an empty log must not take the place ${id} had. Remove the old ` +
    `member first (DELETE /cluster/members/${id} on any member), then start this node again with ` +
    `--join; the same id may join again once removed`
  );
}

function replace(current: readonly Member[], member: Member): Member[] {
  return current.map((m) => (m.id === member.id ? member : m));
}
