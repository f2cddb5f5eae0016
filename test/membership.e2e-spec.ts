import request from 'supertest';
import { newClientId } from './support/client-ids';
import { clusterView, grant, release, waitForSameState } from './support/cluster-state';
import { postWithFailover, type Attempt } from './support/failover-request';
import { waitForLeaderAmong } from './support/leadership';
import { LocalCluster, type NodeHandle } from './support/local-cluster';
import { waitFor } from './support/wait-for';

// Membership changes are replicated entries (`DELETE /cluster/members/{id}` on any node),
// after which the majority is counted without the removed node. Sessions are replicated
// too, and a new leader starts every session's TTL afresh, so a session kept alive through
// a failover keeps its locks (ARCHITECTURE.md, "Sessions and time"; Raft thesis 4.1).
jest.setTimeout(90_000);

const ENV = {
  LATCHKEY_HEARTBEAT_MS: '50',
  LATCHKEY_ELECTION_TIMEOUT_MIN_MS: '400',
  LATCHKEY_ELECTION_TIMEOUT_MAX_MS: '800',
  LATCHKEY_REQUEST_TIMEOUT_MS: '1500',
};

function memberIds(view: { members: { id: string }[] }): string[] {
  return view.members.map((m) => m.id).sort();
}

describe('membership', () => {
  describe('removing a member', () => {
    let cluster: LocalCluster;

    beforeAll(async () => {
      cluster = await LocalCluster.start({ size: 3, env: ENV });
    });

    afterAll(async () => {
      await cluster?.stop();
    });

    it('removes n3 through a follower: the others list 2 members and take writes with n1 and n2 alone; an unknown member is a 404', async () => {
      const leader = await cluster.leader();
      const via = cluster.nodes.find((n) => n.id !== leader.id && n.id !== 'n3')!;
      expect((await clusterView(via.url)).role).toBe('follower');
      const before = await grant(via.url, 'members:before', newClientId());

      const removed = await request(via.url).delete('/cluster/members/n3').timeout(10_000);
      expect(`${removed.status} ${JSON.stringify(removed.body)}`).toMatch(/^200 /);
      expect(memberIds(removed.body)).toEqual(['n1', 'n2']);

      const remaining = cluster.nodes.filter((n) => n.id !== 'n3');
      for (const node of remaining) {
        await waitFor(`${node.id} to list 2 members`, async () => {
          const view = (await request(node.url).get('/cluster').timeout(2000)).body;
          if (JSON.stringify(memberIds(view)) !== JSON.stringify(['n1', 'n2']))
            throw new Error(`${node.id} lists ${memberIds(view).join(', ')}`);
          return true;
        });
      }
      // The removed node is stopped afterwards, as the API asks.
      await cluster.kill('n3', 'SIGTERM');

      // Writes need both remaining nodes now, and succeed through each of them.
      const written = [];
      for (const node of remaining) {
        const clientId = newClientId();
        const g = await grant(node.url, `members:after:${node.id}`, clientId);
        expect(g.owner).toBe(clientId);
        expect(g.fencingToken).toBeGreaterThan(before.fencingToken);
        written.push(g);
      }
      await release(remaining[1].url, written[0].name, written[0].owner);
      const agreed = await waitForSameState(cluster);
      expect(agreed).toEqual([before, written[1]].sort((a, b) => a.name.localeCompare(b.name)));
      for (const node of remaining)
        expect(memberIds((await request(node.url).get('/cluster').timeout(2000)).body)).toEqual(['n1', 'n2']);

      // Not a member (any more, or ever): 404, through a follower and through the leader.
      const current = await cluster.leader();
      for (const node of remaining) {
        for (const id of ['n3', 'n9']) {
          const res = await request(node.url).delete(`/cluster/members/${id}`).timeout(10_000);
          expect({ via: node.id === current.id ? 'leader' : 'follower', id, status: res.status }).toEqual({
            via: node.id === current.id ? 'leader' : 'follower',
            id,
            status: 404,
          });
        }
      }
    });
  });

  describe('sessions across a failover', () => {
    let cluster: LocalCluster;

    beforeAll(async () => {
      cluster = await LocalCluster.start({ size: 3, env: ENV });
    });

    afterAll(async () => {
      await cluster?.stop();
    });

    it('keeps the lock of a session kept alive through a follower while the leader is killed, for 2x its TTL under the new leader', async () => {
      const ttlMs = 3000;
      const name = 'members:session-lock';
      const clientId = newClientId();
      const leader = await cluster.leader();
      const termBefore = (await clusterView(leader.url)).term;
      const followers = cluster.nodes.filter((n) => n.id !== leader.id);

      const opened = await request(followers[0].url)
        .post('/sessions')
        .send({ clientId, ttlMs })
        .timeout(10_000);
      expect(opened.status).toBe(201);
      const sessionId: string = opened.body.sessionId;
      const granted = await request(followers[0].url)
        .post(`/locks/${name}/preempt`)
        .send({ clientId, sessionId })
        .timeout(10_000);
      expect(granted.status).toBe(200);
      const fencingToken: number = granted.body.fencingToken;

      // Keepalives from the test through a follower, about every TTL/6; one that fails is
      // retried through the other nodes (the dead leader included, as a client would).
      const keepalives = new KeepAliveLoop(cluster.nodes, followers, sessionId, ttlMs);
      try {
        await waitFor(
          'two keepalives answered through a follower',
          () => keepalives.answered.filter((k) => k.status === 200).length >= 2,
        );

        await cluster.kill(leader.id, 'SIGKILL');
        const { leader: successor } = await waitForLeaderAmong(followers, {
          notId: leader.id,
          aboveTerm: termBefore,
        });
        const electedAt = Date.now();

        // Twelve keepalives (about 2x the TTL) acknowledged under the new leader: the lock must
        // stay the session's on every live node all along.
        const problems: string[] = [];
        const acknowledgedSinceElection = () =>
          keepalives.answered.filter((k) => k.at > electedAt && k.status === 200).length;
        await waitFor(
          `12 keepalives acknowledged after ${successor.id} was elected`,
          async () => {
            for (const node of followers) {
              const seen = await request(node.url).get(`/locks/${name}`).timeout(2000);
              if (
                seen.status !== 200 ||
                seen.body.owner !== clientId ||
                seen.body.fencingToken !== fencingToken
              ) {
                problems.push(
                  `${node.id} at election+${Date.now() - electedAt}ms: ${seen.status} ${JSON.stringify(seen.body)}`,
                );
              }
            }
            return acknowledgedSinceElection() >= 12;
          },
          { timeoutMs: 2 * ttlMs + 40_000, intervalMs: 250 },
        );
        const afterElection = keepalives.answered.filter((k) => k.at > electedAt);

        await keepalives.stop();
        expect(problems).toEqual([]);
        // Keepalives were answered 200 again after the failover, and never "session not found".
        expect(afterElection.filter((k) => k.status === 200).length).toBeGreaterThanOrEqual(2);
        expect(keepalives.attempts.filter((a) => a.status === 404)).toEqual([]);
        expect(keepalives.answered.at(-1)?.status).toBe(200);
      } finally {
        await keepalives.stop();
      }

      for (const node of followers) {
        const seen = await request(node.url)
          .get(`/locks/${name}`)
          .query({ consistency: 'linearizable' })
          .timeout(10_000);
        expect({
          node: node.id,
          status: seen.status,
          owner: seen.body.owner,
          fencingToken: seen.body.fencingToken,
        }).toEqual({ node: node.id, status: 200, owner: clientId, fencingToken });
      }
      // The session is still the holder's: closing it frees the lock everywhere.
      const closed = await request(followers[1].url).delete(`/sessions/${sessionId}`).timeout(10_000);
      expect(closed.status).toBe(200);
      for (const node of followers) {
        const seen = await request(node.url)
          .get(`/locks/${name}`)
          .query({ consistency: 'linearizable' })
          .timeout(10_000);
        expect({ node: node.id, owner: seen.body.owner }).toEqual({ node: node.id, owner: null });
      }
    });
  });
});

/** A session holder's keepalive cadence, run in the background by the test. */
class KeepAliveLoop {
  /** the final answer of each keepalive (after retries), with Date.now() when it came */
  readonly answered: { at: number; status: number | null }[] = [];
  /** every try, answered or not */
  readonly attempts: Attempt[] = [];
  private stopping = false;
  private readonly loop: Promise<void>;

  constructor(all: NodeHandle[], preferred: NodeHandle[], sessionId: string, ttlMs: number) {
    // The preferred nodes first, then the rest: a failed try moves on to the next one.
    const urls = [...preferred, ...all.filter((n) => !preferred.includes(n))].map((n) => n.url);
    this.loop = (async () => {
      let round = 0;
      while (!this.stopping) {
        const res = await postWithFailover(
          () => urls,
          `/sessions/${sessionId}/keepalive`,
          {},
          {
            deadline: Date.now() + ttlMs,
            startIndex: round++ % preferred.length,
            attemptTimeoutMs: ttlMs / 3,
            onAttempt: (a) => this.attempts.push(a),
          },
        );
        this.answered.push({ at: Date.now(), status: res?.status ?? null });
        await new Promise((resolve) => setTimeout(resolve, ttlMs / 6));
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop;
  }
}
