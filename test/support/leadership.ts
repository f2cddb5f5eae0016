import { clusterView } from './cluster-state';
import type { NodeHandle } from './local-cluster';
import { waitFor } from './wait-for';

export interface Leadership {
  leader: NodeHandle;
  term: number;
}

/**
 * Waits until every node of `among` names the same leader, that leader is one of them and
 * calls itself leader, it is not `notId`, and its term is above `aboveTerm`. Only `among`
 * is asked, so a paused (SIGSTOPped) node can be left out.
 */
export async function waitForLeaderAmong(
  among: NodeHandle[],
  {
    notId,
    aboveTerm = -1,
    timeoutMs = 30_000,
  }: { notId?: string; aboveTerm?: number; timeoutMs?: number } = {},
): Promise<Leadership> {
  return waitFor(
    `${among.map((n) => n.id).join(', ')} to agree on a leader${notId ? ` other than ${notId}` : ''} above term ${aboveTerm}`,
    async () => {
      const views = await Promise.all(among.map((n) => clusterView(n.url)));
      const leaderIds = new Set(views.map((v) => v.leaderId));
      const [leaderId] = leaderIds;
      const leaderView = views.find((v) => v.id === leaderId);
      if (
        leaderIds.size !== 1 ||
        !leaderId ||
        leaderId === notId ||
        !leaderView ||
        leaderView.role !== 'leader' ||
        leaderView.term <= aboveTerm
      ) {
        throw new Error(
          views.map((v) => `${v.id}: ${v.role} term ${v.term} leader ${v.leaderId}`).join('; '),
        );
      }
      return { leader: among.find((n) => n.id === leaderId)!, term: leaderView.term };
    },
    { timeoutMs },
  );
}
