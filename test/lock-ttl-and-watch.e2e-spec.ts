import request from 'supertest';
import { newClientId } from './support/client-ids';
import { LocalCluster, type NodeHandle } from './support/local-cluster';
import { PendingRequest } from './support/pending-request';
import { SseWatch, type LockWatchMessage } from './support/sse-watch';
import { waitFor } from './support/wait-for';

jest.setTimeout(60_000);

// A lock taken with ttlMs frees itself (an `expired` change) that long after the grant;
// GET /locks/{name}/watch streams every applied change of one lock as Server-Sent Events.
describe('lock TTL and watch', () => {
  let cluster: LocalCluster;
  let leader: NodeHandle;
  let followerA: NodeHandle;
  let followerB: NodeHandle;
  const watches: SseWatch[] = [];

  beforeAll(async () => {
    cluster = await LocalCluster.start({ size: 3 });
    leader = await cluster.leader();
    [followerA, followerB] = cluster.nodes.filter((n) => n.id !== leader.id);
  });

  afterAll(async () => {
    for (const watch of watches) watch.close();
    await cluster?.stop();
  });

  async function watch(node: NodeHandle, name: string): Promise<SseWatch> {
    const opened = await SseWatch.open(node.url, name);
    watches.push(opened);
    expect(opened.response.headers['content-type']).toMatch(/^text\/event-stream/);
    return opened;
  }

  async function waitForFreeEverywhere(name: string): Promise<void> {
    for (const node of cluster.nodes) {
      await waitFor(`${node.id} to show ${name} free`, async () => {
        const seen = (await request(node.url).get(`/locks/${name}`).timeout(2000)).body;
        if (seen.owner !== null || seen.fencingToken !== null)
          throw new Error(`${node.id} shows ${JSON.stringify(seen)}`);
        return true;
      });
    }
  }

  /** Every message is well formed: the SSE event and id match its data. */
  function expectWellFormed(messages: LockWatchMessage[], name: string): void {
    for (const m of messages) {
      expect(m.data).toEqual({
        type: m.event,
        name,
        owner: expect.any(String),
        fencingToken: expect.any(Number),
        index: expect.any(Number),
      });
      expect(m.id).toBe(String(m.data.index));
    }
  }

  it('streams granted then expired for a lock taken with ttlMs, and the lock is free on every node afterwards', async () => {
    const name = 'ttl:build';
    const alice = newClientId();
    const stream = await watch(followerA, name);

    const sentAt = Date.now();
    const granted = await request(followerB.url)
      .post(`/locks/${name}/preempt`)
      .send({ clientId: alice, ttlMs: 1500 })
      .expect(200);
    expect(granted.body).toEqual({ name, acquired: true, owner: alice, fencingToken: expect.any(Number) });
    // A change to another lock does not show up on this watch.
    await request(leader.url).post('/locks/ttl:other/preempt').send({ clientId: alice }).expect(200);

    const [grant, expiry] = await stream.take(2);
    // The TTL is a lower bound: the grant happened after the request was sent, so the lock can
    // only have expired at least ttlMs after that (a safety property, not a speed bound).
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(1500);
    expectWellFormed([grant, expiry], name);
    expect(grant).toMatchObject({
      event: 'granted',
      data: { owner: alice, fencingToken: granted.body.fencingToken, index: granted.body.fencingToken },
    });
    expect(expiry).toMatchObject({
      event: 'expired',
      data: { owner: alice, fencingToken: granted.body.fencingToken },
    });
    expect(expiry.data.index).toBeGreaterThan(grant.data.index);

    // Only applied changes are streamed: the watched node reflects the expiry already.
    const onWatched = (await request(followerA.url).get(`/locks/${name}`).expect(200)).body;
    expect(onWatched).toMatchObject({ owner: null, fencingToken: null });
    expect(onWatched.appliedIndex).toBeGreaterThanOrEqual(expiry.data.index);
    await waitForFreeEverywhere(name);

    // The expired holder cannot release it any more; someone else can take it, with a larger token.
    const late = await request(leader.url)
      .post(`/locks/${name}/release`)
      .send({ clientId: alice })
      .expect(409);
    expect(late.body).toMatchObject({ released: false, reason: 'not_held' });
    const bob = newClientId();
    const next = await request(followerA.url)
      .post(`/locks/${name}/preempt`)
      .send({ clientId: bob })
      .expect(200);
    expect(next.body.fencingToken).toBeGreaterThan(expiry.data.index);
    const [, , regrant] = await stream.take(3);
    expect(regrant).toMatchObject({
      event: 'granted',
      data: { owner: bob, fencingToken: next.body.fencingToken },
    });
    expect(stream.messages.every((m) => m.data.name === name)).toBe(true);
    expect(stream.unparsed).toEqual([]);
  });

  it("hands an expired lock to the first waiter in the same step, and the waiter's own ttlMs frees it later", async () => {
    const name = 'ttl:queue';
    const erin = newClientId();
    const frank = newClientId();
    const stream = await watch(leader, name);

    const first = await request(followerA.url)
      .post(`/locks/${name}/preempt`)
      .send({ clientId: erin, ttlMs: 1500 })
      .expect(200);
    const waiter = new PendingRequest(
      request(followerB.url)
        .post(`/locks/${name}/preempt`)
        .send({ clientId: frank, ttlMs: 1000, waitMs: 30_000 }),
    );
    const handedOn = await waiter.done;
    expect(handedOn.status).toBe(200);
    expect(handedOn.body).toEqual({ name, acquired: true, owner: frank, fencingToken: expect.any(Number) });

    const messages = await stream.take(4);
    expectWellFormed(messages, name);
    const token = first.body.fencingToken as number;
    const next = handedOn.body.fencingToken as number;
    expect(messages.map((m) => [m.event, m.data.owner, m.data.fencingToken])).toEqual([
      ['granted', erin, token],
      ['expired', erin, token],
      ['granted', frank, next],
      ['expired', frank, next],
    ]);
    expect(messages[1].data.index).toBe(next);
    expect(messages[2].data.index).toBe(next);
    expect(messages[3].data.index).toBeGreaterThan(next);
    await waitForFreeEverywhere(name);
  });

  it('streams released for a release, and the grant to the first waiter in the same step', async () => {
    const name = 'watch:release';
    const carol = newClientId();
    const dave = newClientId();
    const stream = await watch(followerB, name);

    const first = await request(leader.url)
      .post(`/locks/${name}/preempt`)
      .send({ clientId: carol })
      .expect(200);
    const waiter = new PendingRequest(
      request(followerA.url).post(`/locks/${name}/preempt`).send({ clientId: dave, waitMs: 30_000 }),
    );
    await waitFor(
      'dave to be queued',
      async () => (await request(leader.url).get(`/locks/${name}`)).body.waiters === 1,
    );

    await request(followerA.url).post(`/locks/${name}/release`).send({ clientId: carol }).expect(200);
    const handedOn = await waiter.done;
    expect(handedOn.status).toBe(200);
    expect(handedOn.body).toMatchObject({ acquired: true, owner: dave });

    await request(followerB.url).post(`/locks/${name}/release`).send({ clientId: dave }).expect(200);

    const messages = await stream.take(4);
    expectWellFormed(messages, name);
    const token = first.body.fencingToken as number;
    const next = handedOn.body.fencingToken as number;
    expect(messages.map((m) => [m.event, m.data.owner, m.data.fencingToken])).toEqual([
      ['granted', carol, token],
      ['released', carol, token],
      ['granted', dave, next],
      ['released', dave, next],
    ]);
    // The release and the hand-on are one replicated entry, whose index is the new token.
    expect(messages[1].data.index).toBe(next);
    expect(messages[2].data.index).toBe(next);
    expect(next).toBeGreaterThan(token);
    expect(messages[3].data.index).toBeGreaterThan(next);
    await waitForFreeEverywhere(name);
  });
});
