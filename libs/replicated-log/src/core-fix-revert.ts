/**
 * Test-only: fixes of the core that a simulation can take back out, one at a time, to show
 * that the regression seed pinned for each still fails without it. Each is checked at the
 * one place its fix lives. They travel as data in RaftConfig (and to planJoin); the node's
 * option parsing never sets them, so no production configuration can reach them.
 */
export type CoreFixRevert =
  /**
   * raft-node.ts changeMembership: a new leader may change the membership before it has
   * committed an entry of its own term (thesis 4.1, Ongaro's 2015 erratum).
   */
  | 'membership-change-before-own-term-commit'
  /**
   * raft-node.ts hasRecordedStorage: votes and acknowledgements count from a member's id
   * whatever storage answers, so a node with an emptied data directory keeps its voter place.
   */
  | 'votes-from-any-storage'
  /** membership-plan.ts planJoin: a joining server is a voter at once, with no learner stage (thesis 4.2.1). */
  | 'join-without-learner-stage';

export const CORE_FIX_REVERTS: readonly CoreFixRevert[] = [
  'membership-change-before-own-term-commit',
  'votes-from-any-storage',
  'join-without-learner-stage',
];

/** No fix reverted: the default, and the only value outside tests. */
export const NO_CORE_FIX_REVERTS: ReadonlySet<CoreFixRevert> = new Set();
