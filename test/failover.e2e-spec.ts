import request from 'supertest';
import { newClientId } from './support/client-ids';
import { clusterView, grant, listLocks, waitForSameState, type Grant } from './support/cluster-state';
import { historyClock } from './support/history-clock';
import { waitForLeaderAmong } from './support/leadership';
import { finalStateViolations, lockHistoryViolations } from './support/lock-history-check';
import { LockLoad, type LoadHistory } from './support/lock-load';
import { LocalCluster, type NodeHandle } from './support/local-cluster';
import { sendNow } from './support/queued-request';
import { fatal, waitFor } from './support/wait-for';

// When the leader dies or hangs, the remaining majority elects a new one, acknowledged
// changes survive, fencing tokens keep increasing, and the old leader rejoins as a
// follower (Raft section 5.2). Faster timeouts keep the failovers short; nothing here
// asserts on timing.
jest.setTimeout(90_000);

const FAST_FAILOVER = {
  LATCHKEY_HEARTBEAT_MS: '50',
  LATCHKEY_ELECTION_TIMEOUT_MIN_MS: '400',
  LATCHKEY_ELECTION_TIMEOUT_MAX_MS: '800',
  LATCHKEY_REQUEST_TIMEOUT_MS: '2000',
};

const PREFIX = 'failover:';
const SHARED_LOCKS = ['a', 'b', 'c'].map((s) => `${PREFIX}${s}`);

describe('failover', () => {
  let cluster: LocalCluster;
  /** the leader killed in the first test, restarted in the second */
  let killed: NodeHandle | undefined;
  let afterKill: Grant[] = [];

  beforeAll(async () => {
    cluster = await LocalCluster.start({ size: 3, env: FAST_FAILOVER });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('keeps mutual exclusion, increasing tokens and every acknowledged grant when the leader is killed with SIGKILL under load', async () => {
    const oldLeader = await cluster.leader();
    const termBefore = (await clusterView(oldLeader.url)).term;
    // Clients know every node's address, the dead one included, as a real client would.
    const urls = cluster.nodes.map((n) => n.url);
    const load = LockLoad.start({ urls: () => urls, names: SHARED_LOCKS, clients: 6 });
    let history: LoadHistory;
    let killedAt: number;
    try {
      await waitFor('30 acknowledged grants before the kill', () => load.soFar.holds.length >= 30, {
        timeoutMs: 30_000,
      });
      killedAt = historyClock();
      await cluster.kill(oldLeader.id, 'SIGKILL');
      killed = oldLeader;

      const { leader: newLeader, term } = await waitForLeaderAmong(cluster.running(), {
        notId: oldLeader.id,
        aboveTerm: termBefore,
      });
      expect(term).toBeGreaterThan(termBefore);
      // The new leader serves writes: the load's grants resume (5 s is the product's target;
      // only the generous deadline is enforced), and a write through it directly succeeds.
      await waitFor(
        'a grant sent after the kill to be acknowledged',
        () => load.soFar.holds.some((h) => h.grantInvokedAt > killedAt),
        { timeoutMs: 30_000 },
      );
      const probe = await grant(newLeader.url, `${PREFIX}probe`, newClientId());
      afterKill.push(probe);
      await waitFor(
        '40 more grants after the kill',
        () => load.soFar.holds.filter((h) => h.grantInvokedAt > killedAt).length >= 40,
        { timeoutMs: 30_000 },
      );
    } finally {
      history = await load.stop();
    }

    const before = history.holds.filter((h) => h.grantAckedAt < killedAt);
    const after = history.holds.filter((h) => h.grantInvokedAt > killedAt);
    console.log(
      `failover load: ${history.holds.length} acknowledged grants (${before.length} before the kill, ${after.length} sent after it), ` +
        `${history.refusals} refusals, ${history.attempts} attempts, tokens up to ${Math.max(...history.holds.map((h) => h.token))}`,
    );
    expect(history.anomalies).toEqual([]);
    expect(history.unresolved).toEqual([]);
    expect(lockHistoryViolations(history.holds)).toEqual([]);

    // Tokens granted after the failover are above every token acknowledged before it.
    const maxBefore = Math.max(...before.map((h) => h.token));
    expect(after.filter((h) => h.token <= maxBefore)).toEqual([]);
    expect(afterKill[0].fencingToken).toBeGreaterThan(maxBefore);

    // Every node that runs converges on one state, which honours every acknowledgement.
    const agreed = await waitForSameState(cluster);
    for (const node of cluster.running()) {
      const locks = await listLocks(node.url, PREFIX);
      expect(locks).toEqual(agreed.filter((g) => g.name.startsWith(PREFIX)));
      expect(finalStateViolations(history.holds, locks)).toEqual([]);
      expect(locks).toContainEqual(afterKill[0]);
    }
    afterKill = agreed.filter((g) => g.name.startsWith(PREFIX));
  });

  it('lets the killed old leader, restarted with its same command, rejoin as a follower and converge', async () => {
    expect(killed).toBeDefined();
    const oldLeader = killed!;
    await cluster.startNode(oldLeader.id);
    const current = await cluster.leader();
    expect(current.id).not.toBe(oldLeader.id);
    await waitFor(`${oldLeader.id} to follow ${current.id}`, async () => {
      const view = await clusterView(oldLeader.url);
      if (view.role !== 'follower' || view.leaderId !== current.id)
        throw new Error(`${oldLeader.id}: ${view.role}, leader ${view.leaderId}`);
      return true;
    });
    const agreed = await waitForSameState(cluster);
    const views = await Promise.all(cluster.nodes.map((n) => clusterView(n.url)));
    expect(new Set(views.map((v) => v.appliedIndex)).size).toBe(1);
    expect(await listLocks(oldLeader.url)).toEqual(agreed);
    expect(agreed.filter((g) => g.name.startsWith(PREFIX))).toEqual(afterKill);
    expect(await clusterView(oldLeader.url)).toMatchObject({ role: 'follower', leaderId: current.id });
  });

  it('never lets a SIGSTOPped leader acknowledge a write the new leader does not know after SIGCONT; it steps down and converges', async () => {
    const { leader: stopped, term: termBefore } = await waitForLeaderAmong(cluster.nodes);
    const others = cluster.nodes.filter((n) => n.id !== stopped.id);
    cluster.pause(stopped.id);
    let paused = true;
    try {
      const { leader: successor, term: newTerm } = await waitForLeaderAmong(others, {
        notId: stopped.id,
        aboveTerm: termBefore,
      });
      expect(newTerm).toBeGreaterThan(termBefore);
      // Writes succeed on the other side, through the new leader and through its follower.
      const follower = others.find((n) => n.id !== successor.id)!;
      const during = [
        await grant(successor.url, `${PREFIX}stop:leader`, newClientId()),
        await grant(follower.url, `${PREFIX}stop:follower`, newClientId()),
      ];

      // The old leader wakes up still believing it leads, and gets two writes at once: one
      // that waited in its socket while it was stopped, one sent right after SIGCONT.
      const writes = ['queued', 'after-resume'].map((which) => ({
        name: `${PREFIX}stop:${which}`,
        clientId: newClientId(),
      }));
      const send = (w: { name: string; clientId: string }) =>
        sendNow(
          request(stopped.url)
            .post(`/locks/${w.name}/preempt`)
            .send({ clientId: w.clientId, requestId: 1 })
            .timeout(15_000),
        );
      const queued = send(writes[0]);
      await queued.written;
      cluster.resume(stopped.id);
      paused = false;
      const answers = await Promise.all([queued.answer, send(writes[1]).answer]);
      console.log(
        `${stopped.id} after SIGCONT answered ${answers.map((a) => `${a.status} ${JSON.stringify(a.body)}`).join(' | ')}`,
      );

      const acknowledged: Grant[] = [];
      for (const [i, first] of answers.entries()) {
        const { name, clientId } = writes[i];
        // Either a success the new leader knows (it forwarded, or stepped down first), or a 503 with Retry-After.
        expect(`${name}: ${first.status} ${JSON.stringify(first.body)}`).toMatch(/: (200|503) /);
        if (first.status === 503) expect(first.headers['retry-after']).toBeDefined();
        // A 503 leaves the outcome unknown: the client retries the same request (same requestId)
        // through the same node until it is acknowledged, so every write ends up checked below.
        const answer =
          first.status === 200
            ? first
            : await waitFor(`a retry of ${name} through ${stopped.id} to be acknowledged`, async () => {
                const res = await request(stopped.url)
                  .post(`/locks/${name}/preempt`)
                  .send({ clientId, requestId: 1 })
                  .timeout(15_000);
                if (res.status === 503) return undefined;
                if (res.status !== 200) throw fatal(new Error(`${res.status} ${JSON.stringify(res.body)}`));
                return res;
              });
        expect(answer.body).toEqual({
          name,
          acquired: true,
          owner: clientId,
          fencingToken: expect.any(Number),
        });
        const seen = await waitFor(`a linearizable check of ${name} on ${successor.id}`, async () => {
          const res = await request(successor.url)
            .get(`/locks/${name}`)
            .query({ consistency: 'linearizable' })
            .timeout(10_000);
          if (res.status === 503) throw new Error(`503: ${JSON.stringify(res.body)}`);
          return res;
        });
        expect({
          name,
          status: seen.status,
          owner: seen.body.owner,
          fencingToken: seen.body.fencingToken,
        }).toEqual({ name, status: 200, owner: clientId, fencingToken: answer.body.fencingToken });
        expect(answer.body.fencingToken).toBeGreaterThan(Math.max(...during.map((g) => g.fencingToken)));
        acknowledged.push({ name, owner: clientId, fencingToken: answer.body.fencingToken });
      }
      expect(acknowledged.map((g) => g.name)).toEqual(writes.map((w) => w.name));

      // It steps down: a follower of the current leader, in a term at least the new one.
      const current = await cluster.leader();
      await waitFor(`${stopped.id} to step down and follow ${current.id}`, async () => {
        const view = await clusterView(stopped.url);
        if (view.role !== 'follower' || view.term < newTerm || view.leaderId !== current.id)
          throw new Error(`${stopped.id}: ${view.role} term ${view.term} leader ${view.leaderId}`);
        return true;
      });
      const agreed = await waitForSameState(cluster);
      for (const g of during) expect(agreed).toContainEqual(g);
      for (const g of acknowledged) expect(agreed).toContainEqual(g);
      for (const node of cluster.nodes) expect(await listLocks(node.url)).toEqual(agreed);
    } finally {
      if (paused) cluster.resume(stopped.id);
    }
  });
});
