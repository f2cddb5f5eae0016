import type { RecordedVote } from '../common/twopc-messages';

/** The votes of one prepare round, as the coordinator counted them. */
export interface VoteRound {
  votes: Record<string, RecordedVote>;
  reasons: Record<string, string>;
  /** a replica refused the round's fencing token: a newer coordinator exists */
  refusedBy: { id: string; highestToken: number } | null;
}

/** Commit only on a yes from every replica; otherwise the first reason against it. */
export function decide(
  round: VoteRound,
  replicaIds: readonly string[],
): { decision: 'commit' | 'abort'; reason: string | null } {
  const against = replicaIds.find((id) => round.votes[id] !== 'yes');
  if (against === undefined) return { decision: 'commit', reason: null };
  const vote = round.votes[against] ?? 'timeout';
  const why = round.reasons[against];
  const what = vote === 'no' ? 'voted no' : 'did not vote in time';
  return { decision: 'abort', reason: `${against} ${what}${why ? `: ${why}` : ''}` };
}
