import request from 'supertest';
import { newClientId } from './support/client-ids';
import { clusterView, grant, release, waitForSameState } from './support/cluster-state';
import { waitForLeaderAmong } from './support/leadership';
import { LocalCluster, type NodeHandle } from './support/local-cluster';
import { sendNow } from './support/queued-request';
import { waitFor } from './support/wait-for';
import { messageOf } from './support/message-of';

// `GET /locks/{name}?consistency=linearizable` confirms leadership with a majority
// (ReadIndex) and waits until the serving node applied that index, so it reflects every
// write acknowledged before it was sent, on any node, and a deposed leader cannot answer
// from its stale map (Raft thesis 6.4). `?minIndex=N` waits for index N. A request
// retried with the same (clientId, requestId) is applied once and answered the same.
jest.setTimeout(90_000);

const ENV = {
  LATCHKEY_HEARTBEAT_MS: '50',
  LATCHKEY_ELECTION_TIMEOUT_MIN_MS: '400',
  LATCHKEY_ELECTION_TIMEOUT_MAX_MS: '800',
  // a read that cannot be served answers 503 after this, instead of the default 5 s
  LATCHKEY_REQUEST_TIMEOUT_MS: '1500',
};

function linearizableCheck(node: NodeHandle, name: string): request.Test {
  return request(node.url).get(`/locks/${name}`).query({ consistency: 'linearizable' }).timeout(15_000);
}

describe('linearizable reads', () => {
  let cluster: LocalCluster;

  beforeAll(async () => {
    cluster = await LocalCluster.start({ size: 3, env: ENV });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('reflects, on every node and on the first try, a write acknowledged just before through another node', async () => {
    const names = ['lin:first-try:a', 'lin:first-try:b'];
    const owners = new Map<string, { owner: string; fencingToken: number }>();
    const problems: string[] = [];
    for (let round = 0; round < 12; round++) {
      const name = names[round % names.length];
      const writer = cluster.nodes[round % cluster.nodes.length];
      const held = owners.get(name);
      let expected: { owner: string | null; fencingToken: number | null };
      if (held) {
        const res = await request(writer.url)
          .post(`/locks/${name}/release`)
          .send({ clientId: held.owner })
          .timeout(10_000);
        expect(`${res.status} ${JSON.stringify(res.body)}`).toBe(
          `200 ${JSON.stringify({ name, released: true })}`,
        );
        owners.delete(name);
        expected = { owner: null, fencingToken: null };
      } else {
        const clientId = newClientId();
        const res = await request(writer.url)
          .post(`/locks/${name}/preempt`)
          .send({ clientId })
          .timeout(10_000);
        expect(res.status).toBe(200);
        owners.set(name, { owner: clientId, fencingToken: res.body.fencingToken });
        expected = { owner: clientId, fencingToken: res.body.fencingToken };
      }
      // No polling: each node's first answer must already show the acknowledged write.
      const answers = await Promise.all(cluster.nodes.map((n) => linearizableCheck(n, name)));
      answers.forEach((res, i) => {
        const node = cluster.nodes[i];
        const seen = {
          status: res.status,
          owner: res.body.owner,
          fencingToken: res.body.fencingToken,
          servedBy: res.body.servedBy,
        };
        const want = { status: 200, ...expected, servedBy: node.id };
        if (JSON.stringify(seen) !== JSON.stringify(want))
          problems.push(
            `round ${round}, written via ${writer.id}, read on ${node.id}: ${JSON.stringify(seen)} instead of ${JSON.stringify(want)}`,
          );
      });
    }
    expect(problems).toEqual([]);
  });

  it('never lets a deposed (SIGSTOPped, then SIGCONTed) leader answer a linearizable read with the stale owner', async () => {
    const name = 'lin:deposed';
    const alice = newClientId();
    const bob = newClientId();
    const { leader: old, term } = await waitForLeaderAmong(cluster.nodes);
    const stale = await grant(old.url, name, alice);
    await waitFor(
      `${old.id} to show ${name} held by alice`,
      async () => (await request(old.url).get(`/locks/${name}`).timeout(2000)).body.owner === alice,
    );

    cluster.pause(old.id);
    let paused = true;
    try {
      const others = cluster.nodes.filter((n) => n.id !== old.id);
      const { leader: successor } = await waitForLeaderAmong(others, { notId: old.id, aboveTerm: term });
      await release(successor.url, name, alice);
      const fresh = await grant(successor.url, name, bob);
      expect(fresh.fencingToken).toBeGreaterThan(stale.fencingToken);

      // Woken up, the old leader still believes it leads and its map still says alice. Two
      // reads wait in its socket while it is stopped (it reads them before it can hear from
      // its peers), two more are sent right after SIGCONT.
      const queued = [sendNow(linearizableCheck(old, name)), sendNow(linearizableCheck(old, name))];
      await Promise.all(queued.map((q) => q.written));
      cluster.resume(old.id);
      paused = false;
      const answers = await Promise.all([
        ...queued.map((q) => q.answer),
        linearizableCheck(old, name),
        linearizableCheck(old, name),
      ]);
      console.log(
        `${old.id} after SIGCONT answered ${answers.map((r) => `${r.status} ${JSON.stringify(r.body)}`).join(' | ')}`,
      );
      for (const res of answers) {
        const seen = `${res.status} ${JSON.stringify(res.body)}`;
        if (res.status === 200)
          expect({ seen, owner: res.body.owner, fencingToken: res.body.fencingToken }).toEqual({
            seen,
            owner: bob,
            fencingToken: fresh.fencingToken,
          });
        else
          expect({ seen, status: res.status, retryAfter: res.headers['retry-after'] !== undefined }).toEqual({
            seen,
            status: 503,
            retryAfter: true,
          });
      }

      // Once it has stepped down and caught up, its linearizable answer is the new owner.
      await waitFor(`${old.id} to step down`, async () => (await clusterView(old.url)).role === 'follower');
      await waitForSameState(cluster);
      const after = await linearizableCheck(old, name);
      expect(after.status).toBe(200);
      expect(after.body).toMatchObject({
        name,
        owner: bob,
        fencingToken: fresh.fencingToken,
        servedBy: old.id,
      });
    } finally {
      if (paused) cluster.resume(old.id);
    }
  });

  it('answers minIndex beyond the applied log with 503 after the request timeout, and rejects a bad consistency or minIndex with 400', async () => {
    const node = cluster.nodes[1];
    const { appliedIndex } = await clusterView(node.url);

    const reached = await request(node.url)
      .get('/locks/lin:min-index')
      .query({ minIndex: appliedIndex })
      .timeout(10_000);
    expect(reached.status).toBe(200);
    expect(reached.body.appliedIndex).toBeGreaterThanOrEqual(appliedIndex);

    const beyond = await request(node.url)
      .get('/locks/lin:min-index')
      .query({ minIndex: appliedIndex + 1_000_000 })
      .timeout(15_000);
    expect(`${beyond.status} ${JSON.stringify(beyond.body)}`).toMatch(/^503 /);
    expect(beyond.headers['retry-after']).toBeDefined();

    const beyondLinearizable = await request(node.url)
      .get('/locks/lin:min-index')
      .query({ consistency: 'linearizable', minIndex: appliedIndex + 1_000_000 })
      .timeout(15_000);
    expect(beyondLinearizable.status).toBe(503);

    const bogus = await request(node.url)
      .get('/locks/lin:min-index')
      .query({ consistency: 'bogus' })
      .timeout(5000);
    expect(bogus.status).toBe(400);
    expect(messageOf(bogus)).toMatch(/consistency/);

    for (const minIndex of ['-1', 'abc', '1.5']) {
      const bad = await request(node.url).get('/locks/lin:min-index').query({ minIndex }).timeout(5000);
      expect({ minIndex, status: bad.status }).toEqual({ minIndex, status: 400 });
      expect(messageOf(bad)).toMatch(/minIndex/);
    }
  });

  it('answers a preempt retried with the same requestId after its release with the original grant, without taking the lock again', async () => {
    const name = 'lin:retried';
    const carol = newClientId();
    const dave = newClientId();
    const [a, b, c] = cluster.nodes;

    const first = await request(a.url)
      .post(`/locks/${name}/preempt`)
      .send({ clientId: carol, requestId: 7 })
      .timeout(10_000);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ name, acquired: true, owner: carol, fencingToken: expect.any(Number) });
    const released = await request(b.url)
      .post(`/locks/${name}/release`)
      .send({ clientId: carol, requestId: 8 })
      .timeout(10_000);
    expect(released.status).toBe(200);
    expect(released.body).toEqual({ name, released: true });

    // The retry (through yet another node) gets the original answer and changes nothing.
    const retry = await request(c.url)
      .post(`/locks/${name}/preempt`)
      .send({ clientId: carol, requestId: 7 })
      .timeout(10_000);
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    for (const node of cluster.nodes) {
      const seen = await linearizableCheck(node, name);
      expect({ node: node.id, status: seen.status, owner: seen.body.owner }).toEqual({
        node: node.id,
        status: 200,
        owner: null,
      });
    }

    // Someone else takes it; late retries of carol's preempt and release change nothing either.
    const taken = await request(a.url)
      .post(`/locks/${name}/preempt`)
      .send({ clientId: dave, requestId: 1 })
      .timeout(10_000);
    expect(taken.status).toBe(200);
    const lateRelease = await request(b.url)
      .post(`/locks/${name}/release`)
      .send({ clientId: carol, requestId: 8 })
      .timeout(10_000);
    expect(lateRelease.status).toBe(200);
    expect(lateRelease.body).toEqual(released.body);
    const latePreempt = await request(c.url)
      .post(`/locks/${name}/preempt`)
      .send({ clientId: carol, requestId: 7 })
      .timeout(10_000);
    expect(latePreempt.status).toBe(200);
    expect(latePreempt.body).toEqual(first.body);
    for (const node of cluster.nodes) {
      const seen = await linearizableCheck(node, name);
      expect({
        node: node.id,
        status: seen.status,
        owner: seen.body.owner,
        fencingToken: seen.body.fencingToken,
      }).toEqual({
        node: node.id,
        status: 200,
        owner: dave,
        fencingToken: taken.body.fencingToken,
      });
    }
  });
});

// A freshly bootstrapped leader, before anyone joins: its one vote is the majority, so a
// ReadIndex round is confirmed inside the step that asks for it.
describe('linearizable reads on a one-node cluster', () => {
  let cluster: LocalCluster;
  // Far longer than the client waits below: a read the node cannot confirm is not answered in time.
  const serverTimeoutMs = 60_000;

  beforeAll(async () => {
    cluster = await LocalCluster.start({
      size: 1,
      env: { ...ENV, LATCHKEY_REQUEST_TIMEOUT_MS: String(serverTimeoutMs) },
    });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  function answerOf(res: request.Response): unknown {
    return { status: res.status, owner: res.body.owner, fencingToken: res.body.fencingToken };
  }

  it('answers GET /locks/x?consistency=linearizable at once, free and then held', async () => {
    const [node] = cluster.nodes;
    const free = await linearizableCheck(node, 'x').timeout(10_000);
    expect(answerOf(free)).toEqual({ status: 200, owner: null, fencingToken: null });

    const held = await grant(node.url, 'x', newClientId());
    for (let i = 0; i < 3; i++) {
      const seen = await linearizableCheck(node, 'x').timeout(10_000);
      expect(answerOf(seen)).toEqual({ status: 200, owner: held.owner, fencingToken: held.fencingToken });
    }
  });
});
