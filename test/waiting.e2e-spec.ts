import request from 'supertest';
import { newClientId } from './support/client-ids';
import { LocalCluster, type NodeHandle } from './support/local-cluster';
import { PendingRequest } from './support/pending-request';
import { waitFor } from './support/wait-for';

jest.setTimeout(60_000);

// A preempt with waitMs waits in the lock's FIFO queue: a release grants the first
// waiter in the same replicated step, with a larger fencing token; a waiter whose waitMs
// runs out gets 409 and leaves the queue.
describe('waiting for a held lock', () => {
  let cluster: LocalCluster;
  let nodes: NodeHandle[];

  beforeAll(async () => {
    cluster = await LocalCluster.start({ size: 3 });
    nodes = cluster.nodes;
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  async function checkOn(
    node: NodeHandle,
    name: string,
  ): Promise<{ owner: string | null; fencingToken: number | null; waiters: number }> {
    const res = await request(node.url).get(`/locks/${name}`).timeout(2000);
    if (res.status !== 200) throw new Error(`GET /locks/${name} on ${node.id} answered ${res.status}`);
    return res.body;
  }

  /** Waits until every node shows `name` with this owner (and token) and queue length. */
  async function waitForEveryNode(
    name: string,
    expected: { owner: string | null; fencingToken?: number; waiters: number },
  ): Promise<void> {
    for (const node of nodes) {
      await waitFor(`${node.id} to show ${name} as ${JSON.stringify(expected)}`, async () => {
        const seen = await checkOn(node, name);
        const matches =
          seen.owner === expected.owner &&
          seen.waiters === expected.waiters &&
          (expected.fencingToken === undefined || seen.fencingToken === expected.fencingToken);
        if (!matches) throw new Error(`${node.id} shows ${JSON.stringify(seen)}`);
        return true;
      });
    }
  }

  function preemptWaiting(node: NodeHandle, name: string, clientId: string, waitMs: number): PendingRequest {
    return new PendingRequest(
      request(node.url)
        .post(`/locks/${name}/preempt`)
        .send({ clientId, waitMs })
        .timeout(waitMs + 15_000),
    );
  }

  it('grants three queued waiters in arrival order, one per release, with strictly increasing tokens', async () => {
    const name = 'waiting:fifo';
    const holder = newClientId();
    const first = await request(nodes[0].url)
      .post(`/locks/${name}/preempt`)
      .send({ clientId: holder })
      .expect(200);

    // Three waiters, through three different nodes, each queued before the next is sent.
    const waiters: { clientId: string; node: NodeHandle; pending: PendingRequest }[] = [];
    for (const [i, node] of [nodes[1], nodes[2], nodes[0]].entries()) {
      const clientId = newClientId();
      waiters.push({ clientId, node, pending: preemptWaiting(node, name, clientId, 30_000) });
      await waitForEveryNode(name, { owner: holder, fencingToken: first.body.fencingToken, waiters: i + 1 });
    }
    expect(waiters.map((w) => w.pending.describe())).toEqual([
      'still waiting',
      'still waiting',
      'still waiting',
    ]);

    const tokens = [first.body.fencingToken as number];
    let owner = holder;
    for (const [i, waiter] of waiters.entries()) {
      // The current owner releases, through yet another node; the next waiter in line gets it.
      const releaseVia = nodes[(i + 2) % nodes.length];
      await request(releaseVia.url).post(`/locks/${name}/release`).send({ clientId: owner }).expect(200);
      const answer = await waiter.pending.done;
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        name,
        acquired: true,
        owner: waiter.clientId,
        fencingToken: expect.any(Number),
      });
      tokens.push(answer.body.fencingToken);
      // The ones behind it are still queued: nobody but the head of the queue was granted.
      const behind = waiters.slice(i + 1);
      expect(behind.map((w) => w.pending.describe())).toEqual(behind.map(() => 'still waiting'));
      // Read-your-writes on the node that answered the waiter, then every node agrees.
      expect((await checkOn(waiter.node, name)).owner).toBe(waiter.clientId);
      await waitForEveryNode(name, {
        owner: waiter.clientId,
        fencingToken: answer.body.fencingToken,
        waiters: behind.length,
      });
      owner = waiter.clientId;
    }
    for (let i = 1; i < tokens.length; i++) expect(tokens[i]).toBeGreaterThan(tokens[i - 1]);

    await request(nodes[1].url).post(`/locks/${name}/release`).send({ clientId: owner }).expect(200);
    await waitForEveryNode(name, { owner: null, waiters: 0 });
  });

  it('answers a waiter whose waitMs runs out with 409 and takes it out of the queue; a later waiter is unaffected', async () => {
    const name = 'waiting:timeout';
    const holder = newClientId();
    const held = await request(nodes[2].url)
      .post(`/locks/${name}/preempt`)
      .send({ clientId: holder })
      .expect(200);

    const impatient = newClientId();
    const short = preemptWaiting(nodes[1], name, impatient, 1500);
    await waitForEveryNode(name, { owner: holder, waiters: 1 });
    const patient = newClientId();
    const long = preemptWaiting(nodes[0], name, patient, 30_000);
    // If the short wait already ran out, the queue shows 1 here, not 2; wait for whichever
    // is true now and check the rest below.
    await waitFor('the patient waiter to be queued', async () => {
      const seen = await checkOn(nodes[0], name);
      return seen.waiters === 2 || (short.settled && seen.waiters === 1);
    });

    const refused = await short.done;
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({
      name,
      acquired: false,
      owner: holder,
      fencingToken: held.body.fencingToken,
    });
    await waitForEveryNode(name, { owner: holder, fencingToken: held.body.fencingToken, waiters: 1 });
    expect(long.describe()).toBe('still waiting');

    // The one that gave up is not granted later: the release goes to the patient waiter.
    await request(nodes[1].url).post(`/locks/${name}/release`).send({ clientId: holder }).expect(200);
    const granted = await long.done;
    expect(granted.status).toBe(200);
    expect(granted.body).toEqual({ name, acquired: true, owner: patient, fencingToken: expect.any(Number) });
    expect(granted.body.fencingToken).toBeGreaterThan(held.body.fencingToken);
    await waitForEveryNode(name, { owner: patient, fencingToken: granted.body.fencingToken, waiters: 0 });
  });

  it('answers a retried waiting preempt (same requestId) whose grant was lost on the wire with the grant and its token', async () => {
    const name = 'waiting:retry-after-lost-grant';
    const holder = newClientId();
    await request(nodes[0].url).post(`/locks/${name}/preempt`).send({ clientId: holder }).expect(200);

    const waiter = newClientId();
    const body = { clientId: waiter, waitMs: 30_000, requestId: 1 };
    const firstTry = request(nodes[1].url).post(`/locks/${name}/preempt`).send(body);
    const lost = new PendingRequest(firstTry);
    await waitForEveryNode(name, { owner: holder, waiters: 1 });
    // The client gives up on its connection: the answer to the queued preempt is lost.
    firstTry.abort();
    await request(nodes[2].url).post(`/locks/${name}/release`).send({ clientId: holder }).expect(200);
    await waitForEveryNode(name, { owner: waiter, waiters: 0 });
    const grantedToken = (await checkOn(nodes[0], name)).fencingToken;
    expect(lost.describe()).not.toMatch(/^200/);

    // Retried with the same requestId, through each node: it learns the grant, and the
    // lock is not taken again (the token stays the one the queue handed over).
    for (const node of nodes) {
      const retry = await request(node.url).post(`/locks/${name}/preempt`).send(body).timeout(20_000);
      expect({ node: node.id, status: retry.status, body: retry.body }).toEqual({
        node: node.id,
        status: 200,
        body: { name, acquired: true, owner: waiter, fencingToken: grantedToken },
      });
    }
    await waitForEveryNode(name, { owner: waiter, fencingToken: grantedToken!, waiters: 0 });
  });

  it('takes a waiter out of the queue when its session is closed: 409, and the waiter behind it moves up', async () => {
    const name = 'waiting:session-ends';
    const holder = newClientId();
    const held = await request(nodes[0].url)
      .post(`/locks/${name}/preempt`)
      .send({ clientId: holder })
      .expect(200);

    const withSession = newClientId();
    const opened = await request(nodes[1].url)
      .post('/sessions')
      .send({ clientId: withSession, ttlMs: 30_000 })
      .expect(201);
    const sessionId = opened.body.sessionId as string;
    const sessionWaiter = new PendingRequest(
      request(nodes[1].url)
        .post(`/locks/${name}/preempt`)
        .send({ clientId: withSession, sessionId, waitMs: 30_000 }),
    );
    await waitForEveryNode(name, { owner: holder, waiters: 1 });
    const plain = newClientId();
    const plainWaiter = preemptWaiting(nodes[2], name, plain, 30_000);
    await waitForEveryNode(name, { owner: holder, waiters: 2 });

    await request(nodes[2].url).delete(`/sessions/${sessionId}`).expect(200);
    const refused = await sessionWaiter.done;
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({
      name,
      acquired: false,
      owner: holder,
      fencingToken: held.body.fencingToken,
    });
    await waitForEveryNode(name, { owner: holder, fencingToken: held.body.fencingToken, waiters: 1 });
    expect(plainWaiter.describe()).toBe('still waiting');

    await request(nodes[0].url).post(`/locks/${name}/release`).send({ clientId: holder }).expect(200);
    const granted = await plainWaiter.done;
    expect(granted.status).toBe(200);
    expect(granted.body).toEqual({ name, acquired: true, owner: plain, fencingToken: expect.any(Number) });
    await waitForEveryNode(name, { owner: plain, fencingToken: granted.body.fencingToken, waiters: 0 });
  });
});
