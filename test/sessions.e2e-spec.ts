import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { newClientId } from './support/client-ids';
import { LocalCluster, type NodeHandle } from './support/local-cluster';
import { PendingRequest } from './support/pending-request';
import { SessionHolderProcess } from './support/session-holder-process';
import { waitFor } from './support/wait-for';
import { messageOf } from './support/message-of';

jest.setTimeout(60_000);

/** A well-formed session id nobody was issued. */
function unknownSessionId(): string {
  return randomBytes(16).toString('hex');
}

// Sessions (leases): locks taken with a session are freed when it is closed or when the
// leader sees no keepalive for ttlMs; only the holder of the secret sessionId can release
// them or keep the session alive (ARCHITECTURE.md, "Sessions and time").
describe('sessions', () => {
  let cluster: LocalCluster;
  let leader: NodeHandle;
  let followerA: NodeHandle;
  let followerB: NodeHandle;
  const holders: SessionHolderProcess[] = [];
  /** every session id this suite was issued: none may leak */
  const issued = new Set<string>();

  beforeAll(async () => {
    cluster = await LocalCluster.start({ size: 3 });
    leader = await cluster.leader();
    [followerA, followerB] = cluster.nodes.filter((n) => n.id !== leader.id);
  });

  afterAll(async () => {
    await Promise.all(holders.map((h) => h.kill()));
    await cluster?.stop();
  });

  async function openSession(url: string, clientId: string, ttlMs?: number): Promise<string> {
    const res = await request(url)
      .post('/sessions')
      .send(ttlMs === undefined ? { clientId } : { clientId, ttlMs });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      sessionId: expect.stringMatching(/^[0-9a-f]{32}$/),
      clientId,
      ttlMs: ttlMs ?? 10_000,
    });
    issued.add(res.body.sessionId);
    return res.body.sessionId;
  }

  async function checkOn(
    node: NodeHandle,
    name: string,
  ): Promise<{ owner: string | null; fencingToken: number | null; waiters: number }> {
    const res = await request(node.url).get(`/locks/${name}`).timeout(2000);
    if (res.status !== 200) throw new Error(`GET /locks/${name} on ${node.id} answered ${res.status}`);
    return res.body;
  }

  async function waitForEveryNode(
    what: string,
    name: string,
    expected: { owner: string | null; fencingToken?: number | null; waiters?: number },
  ): Promise<void> {
    for (const node of cluster.nodes) {
      await waitFor(`${node.id} to show ${name} ${what}`, async () => {
        const seen = await checkOn(node, name);
        const matches =
          seen.owner === expected.owner &&
          (expected.fencingToken === undefined || seen.fencingToken === expected.fencingToken) &&
          (expected.waiters === undefined || seen.waiters === expected.waiters);
        if (!matches) throw new Error(`${node.id} shows ${JSON.stringify(seen)}`);
        return true;
      });
    }
  }

  it('keeps the lock of a kill -9ed holder for at least its TTL, then grants it to the queued waiter on every node', async () => {
    const name = 'sessions:killed-holder';
    const ttlMs = 2000;
    const alice = newClientId();
    const bob = newClientId();

    const holder = await SessionHolderProcess.start(followerA.url, alice, name, ttlMs);
    holders.push(holder);
    issued.add(holder.sessionId);
    expect(holder.sessionId).toMatch(/^[0-9a-f]{32}$/);
    await waitForEveryNode('held by the holder', name, { owner: alice, fencingToken: holder.fencingToken });

    const waiter = new PendingRequest(
      request(followerB.url).post(`/locks/${name}/preempt`).send({ clientId: bob, waitMs: 30_000 }),
    );
    await waitForEveryNode('with one waiter', name, {
      owner: alice,
      fencingToken: holder.fencingToken,
      waiters: 1,
    });
    expect(waiter.settled).toBe(false);

    // Kill right after a keepalive was acknowledged. The TTL is a lower bound from the
    // last acknowledged keepalive (which the leader heard no earlier than it was sent),
    // so the lock must stay with the dead holder until lastHeard + ttlMs at least.
    const lastHeard = await holder.nextAcknowledgedKeepalive();
    const killedAt = Date.now();
    await holder.kill();
    const safeUntil = Math.min(killedAt, lastHeard) + ttlMs - 200;

    // Safety: every answer that arrived inside the window still names the holder. The polls
    // run until the waiter's request settles (state, not a clock).
    const violations: string[] = [];
    let answersInWindow = 0;
    await waitFor(
      'the waiter to be answered after the TTL',
      async () => {
        const seen = await Promise.all(
          cluster.nodes.map(async (node) => ({
            node: node.id,
            lock: await checkOn(node, name),
            at: Date.now(),
          })),
        );
        for (const { node, lock, at } of seen) {
          if (at >= safeUntil) continue;
          answersInWindow++;
          if (lock.owner !== alice || lock.fencingToken !== holder.fencingToken) {
            violations.push(`${node} at killedAt+${at - killedAt}ms: ${JSON.stringify(lock)}`);
          }
        }
        return waiter.settled;
      },
      { timeoutMs: ttlMs + 30_000, intervalMs: 100 },
    );
    expect(violations).toEqual([]);
    expect(answersInWindow).toBeGreaterThanOrEqual(3 * cluster.nodes.length);

    // Liveness: the session expires and the waiter gets the lock, with a larger token.
    const answer = await waiter.done;
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ name, acquired: true, owner: bob, fencingToken: expect.any(Number) });
    expect(answer.body.fencingToken).toBeGreaterThan(holder.fencingToken);
    await waitForEveryNode('held by the waiter', name, {
      owner: bob,
      fencingToken: answer.body.fencingToken,
      waiters: 0,
    });

    // The expired session is gone for good.
    await request(followerA.url).post(`/sessions/${holder.sessionId}/keepalive`).expect(404);
  });

  it('keeps the lock of a session kept alive for 3x its TTL, and frees it everywhere when the session is closed', async () => {
    const name = 'sessions:kept-alive';
    const ttlMs = 1000;
    const carol = newClientId();
    const sessionId = await openSession(followerB.url, carol, ttlMs);
    const granted = await request(followerA.url)
      .post(`/locks/${name}/preempt`)
      .send({ clientId: carol, sessionId })
      .expect(200);
    expect(granted.body).toEqual({ name, acquired: true, owner: carol, fencingToken: expect.any(Number) });

    // Keepalives from the test, through every node in turn, every quarter TTL, until twelve
    // (three TTLs' worth) have been acknowledged.
    const problems: string[] = [];
    let round = 0;
    let acknowledgedKeepalives = 0;
    await waitFor(
      `12 acknowledged keepalives`,
      async () => {
        const via = cluster.nodes[round++ % cluster.nodes.length];
        const kept = await request(via.url).post(`/sessions/${sessionId}/keepalive`).timeout(2000);
        if (kept.status !== 200 || kept.body.sessionId !== sessionId || kept.body.ttlMs !== ttlMs) {
          problems.push(`keepalive via ${via.id}: ${kept.status} ${JSON.stringify(kept.body)}`);
        } else acknowledgedKeepalives++;
        for (const node of cluster.nodes) {
          const seen = await checkOn(node, name);
          if (seen.owner !== carol || seen.fencingToken !== granted.body.fencingToken)
            problems.push(`${node.id}: ${JSON.stringify(seen)}`);
        }
        return acknowledgedKeepalives >= 12 || problems.length > 0;
      },
      { timeoutMs: 3 * ttlMs + 30_000, intervalMs: ttlMs / 4 },
    );
    expect(problems).toEqual([]);
    expect(acknowledgedKeepalives).toBeGreaterThanOrEqual(12);

    const closed = await request(followerA.url).delete(`/sessions/${sessionId}`).expect(200);
    expect(closed.body).toEqual({ sessionId, closed: true });
    // Read-your-writes on the node that answered, then every node converges.
    expect((await checkOn(followerA, name)).owner).toBeNull();
    await waitForEveryNode('free', name, { owner: null, fencingToken: null });

    for (const node of cluster.nodes)
      await request(node.url).post(`/sessions/${sessionId}/keepalive`).expect(404);
    await request(leader.url).delete(`/sessions/${sessionId}`).expect(404);
  });

  it('releases a session lock only with its sessionId: the clientId alone, or with a wrong sessionId, is not_owner', async () => {
    const name = 'sessions:release-proof';
    const dave = newClientId();
    const sessionId = await openSession(leader.url, dave, 30_000);
    const granted = await request(followerB.url)
      .post(`/locks/${name}/preempt`)
      .send({ clientId: dave, sessionId })
      .expect(200);

    const withoutSession = await request(followerA.url)
      .post(`/locks/${name}/release`)
      .send({ clientId: dave })
      .expect(409);
    expect(withoutSession.body).toEqual({ name, released: false, reason: 'not_owner', owner: dave });

    const wrongSession = await request(leader.url)
      .post(`/locks/${name}/release`)
      .send({ clientId: dave, sessionId: unknownSessionId() })
      .expect(409);
    expect(wrongSession.body).toEqual({ name, released: false, reason: 'not_owner', owner: dave });

    // Another valid session of the same client is no proof either.
    const otherSession = await openSession(followerA.url, dave, 30_000);
    const otherRes = await request(followerB.url)
      .post(`/locks/${name}/release`)
      .send({ clientId: dave, sessionId: otherSession })
      .expect(409);
    expect(otherRes.body).toEqual({ name, released: false, reason: 'not_owner', owner: dave });

    await cluster.waitForConvergence();
    await waitForEveryNode('still held', name, { owner: dave, fencingToken: granted.body.fencingToken });

    const released = await request(followerB.url)
      .post(`/locks/${name}/release`)
      .send({ clientId: dave, sessionId })
      .expect(200);
    expect(released.body).toEqual({ name, released: true });
    await waitForEveryNode('free', name, { owner: null });

    await request(followerA.url).delete(`/sessions/${sessionId}`).expect(200);
    await request(followerA.url).delete(`/sessions/${otherSession}`).expect(200);
  });

  it('refuses bad input: ttlMs out of range or not a number (400 naming ttlMs), unknown sessions (404), malformed ids (400)', async () => {
    const erin = newClientId();
    for (const [node, ttlMs] of [
      [leader, 999],
      [followerA, 600_001],
      [followerB, 'abc'],
    ] as const) {
      const res = await request(node.url).post('/sessions').send({ clientId: erin, ttlMs });
      expect({ ttlMs, status: res.status }).toEqual({ ttlMs, status: 400 });
      expect(messageOf(res)).toMatch(/\bttlMs\b/);
    }
    // The bounds themselves are accepted; the default TTL is 10 s.
    const atMin = await openSession(followerA.url, erin, 1000);
    const atMax = await openSession(followerB.url, erin, 600_000);
    const byDefault = await openSession(leader.url, erin);

    for (const node of cluster.nodes) {
      const unknown = await request(node.url).post(`/sessions/${unknownSessionId()}/keepalive`);
      expect(unknown.status).toBe(404);
      const malformed = await request(node.url).post('/sessions/xyz/keepalive');
      expect(malformed.status).toBe(400);
      expect(messageOf(malformed)).toMatch(/\bsessionId\b/);
      const upperHex = await request(node.url).post(
        `/sessions/${unknownSessionId().toUpperCase()}/keepalive`,
      );
      expect(upperHex.status).toBe(400);
      await request(node.url).delete(`/sessions/${unknownSessionId()}`).expect(404);
      await request(node.url).delete('/sessions/xyz').expect(400);
    }

    const unknownSession = await request(followerA.url)
      .post('/locks/sessions:bad-input/preempt')
      .send({ clientId: erin, sessionId: unknownSessionId() });
    expect(unknownSession.status).toBe(404);
    // A session of another client cannot take locks for this one.
    const frank = newClientId();
    const notYours = await request(followerB.url)
      .post('/locks/sessions:bad-input/preempt')
      .send({ clientId: frank, sessionId: byDefault });
    expect(notYours.status).toBe(400);
    expect(messageOf(notYours)).toMatch(/\bsessionId\b/);
    const malformedInBody = await request(leader.url)
      .post('/locks/sessions:bad-input/preempt')
      .send({ clientId: erin, sessionId: 'xyz' });
    expect(malformedInBody.status).toBe(400);
    expect(messageOf(malformedInBody)).toMatch(/\bsessionId\b/);
    // None of those took the lock.
    await cluster.waitForConvergence();
    for (const node of cluster.nodes) expect((await checkOn(node, 'sessions:bad-input')).owner).toBeNull();

    // atMin may have expired meanwhile (1 s TTL, no keepalives): then 404 is right.
    expect([200, 404]).toContain((await request(leader.url).delete(`/sessions/${atMin}`)).status);
    await request(leader.url).delete(`/sessions/${atMax}`).expect(200);
    await request(leader.url).delete(`/sessions/${byDefault}`).expect(200);
  });

  it('never shows a sessionId in GET /locks/{name}, GET /locks, GET /cluster or any node log', async () => {
    const name = 'sessions:secret';
    const grace = newClientId();
    const heidi = newClientId();
    const sessionId = await openSession(followerA.url, grace, 30_000);
    await request(followerB.url)
      .post(`/locks/${name}/preempt`)
      .send({ clientId: grace, sessionId })
      .expect(200);
    // A waiter with its own session, so the queue holds a session too.
    const heidiSession = await openSession(leader.url, heidi, 30_000);
    const waiter = new PendingRequest(
      request(followerA.url)
        .post(`/locks/${name}/preempt`)
        .send({ clientId: heidi, sessionId: heidiSession, waitMs: 30_000 }),
    );
    await waitForEveryNode('held with one waiter', name, { owner: grace, waiters: 1 });
    // A failed release with a session id, and a keepalive, go through the logs too if anything does.
    await request(leader.url)
      .post(`/locks/${name}/release`)
      .send({ clientId: grace, sessionId: unknownSessionId() })
      .expect(409);
    await request(followerB.url).post(`/sessions/${sessionId}/keepalive`).expect(200);

    const secrets = [...issued];
    expect(secrets.length).toBeGreaterThanOrEqual(8);
    const leaks: string[] = [];
    for (const node of cluster.nodes) {
      const answers = {
        [`GET /locks/${name}`]: await request(node.url).get(`/locks/${name}`).expect(200),
        'GET /locks': await request(node.url).get('/locks').expect(200),
        'GET /cluster': await request(node.url).get('/cluster').expect(200),
      };
      for (const [what, res] of Object.entries(answers)) {
        for (const secret of secrets)
          if (res.text.includes(secret)) leaks.push(`${node.id} ${what}: ${res.text}`);
      }
    }
    expect(leaks).toEqual([]);

    // The session ends; the waiter gets the lock (and its session owns it now).
    await request(followerB.url).delete(`/sessions/${sessionId}`).expect(200);
    const answer = await waiter.done;
    expect(answer.status).toBe(200);
    expect(answer.body.owner).toBe(heidi);
    await request(followerA.url).post(`/locks/${name}/release`).send({ clientId: heidi }).expect(409);
    await request(followerA.url)
      .post(`/locks/${name}/release`)
      .send({ clientId: heidi, sessionId: heidiSession })
      .expect(200);
    await request(leader.url).delete(`/sessions/${heidiSession}`).expect(200);

    await cluster.waitForConvergence();
    for (const node of cluster.nodes) {
      const log = cluster.tail(node.id, 10_000);
      expect(log.length).toBeGreaterThan(0);
      for (const secret of secrets) {
        const at = log.indexOf(secret);
        if (at >= 0) leaks.push(`${node.id} log: ${log.slice(Math.max(0, at - 200), at + 100)}`);
      }
    }
    expect(leaks).toEqual([]);
  });
});
