import request from 'supertest';
import { newClientId } from './support/client-ids';
import { LocalCluster } from './support/local-cluster';
import { waitFor } from './support/wait-for';

// Preempt, release and check across a real three-node cluster (README.md, "The HTTP API").
describe('a three-node cluster', () => {
  let cluster: LocalCluster;
  let n1: string, n2: string, n3: string;

  beforeAll(async () => {
    cluster = await LocalCluster.start({ size: 3 });
    [n1, n2, n3] = cluster.nodes.map((n) => n.url);
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('grants a lock preempted through one follower, and the other follower converges to the owner', async () => {
    const alice = newClientId();
    const grant = await request(n2).post('/locks/report-1/preempt').send({ clientId: alice }).expect(200);
    expect(grant.body).toEqual({
      name: 'report-1',
      acquired: true,
      owner: alice,
      fencingToken: expect.any(Number),
    });

    // Read-your-writes on the follower that answered.
    const onN2 = await request(n2).get('/locks/report-1').expect(200);
    expect(onN2.body).toMatchObject({ owner: alice, fencingToken: grant.body.fencingToken, servedBy: 'n2' });

    await waitFor(
      'n3 to see the owner',
      async () => (await request(n3).get('/locks/report-1')).body.owner === alice,
    );
    const onN3 = await request(n3).get('/locks/report-1').expect(200);
    expect(onN3.body).toMatchObject({
      name: 'report-1',
      owner: alice,
      fencingToken: grant.body.fencingToken,
      servedBy: 'n3',
    });
    expect(onN3.body.appliedIndex).toBeGreaterThanOrEqual(grant.body.fencingToken);
  });

  it('refuses a preempt of a held lock and names the owner', async () => {
    const alice = newClientId();
    const bob = newClientId();
    const grant = await request(n1).post('/locks/report-2/preempt').send({ clientId: alice }).expect(200);
    const refused = await request(n3).post('/locks/report-2/preempt').send({ clientId: bob }).expect(409);
    expect(refused.body).toEqual({
      name: 'report-2',
      acquired: false,
      owner: alice,
      fencingToken: grant.body.fencingToken,
    });
  });

  it('lets the owner preempt again and get the same token', async () => {
    const alice = newClientId();
    const first = await request(n2).post('/locks/report-3/preempt').send({ clientId: alice }).expect(200);
    const again = await request(n3).post('/locks/report-3/preempt').send({ clientId: alice }).expect(200);
    expect(again.body.fencingToken).toBe(first.body.fencingToken);
  });

  it('refuses a release by a non-owner, and one of a free lock', async () => {
    const alice = newClientId();
    const mallory = newClientId();
    await request(n1).post('/locks/report-4/preempt').send({ clientId: alice }).expect(200);
    const refused = await request(n2).post('/locks/report-4/release').send({ clientId: mallory }).expect(409);
    expect(refused.body).toEqual({ name: 'report-4', released: false, reason: 'not_owner', owner: alice });
    const free = await request(n3).post('/locks/never-taken/release').send({ clientId: mallory }).expect(409);
    expect(free.body).toEqual({ name: 'never-taken', released: false, reason: 'not_held', owner: null });
    expect((await request(n2).get('/locks/report-4')).body.owner).toBe(alice);
  });

  it('frees a lock released by its owner on every node', async () => {
    const alice = newClientId();
    await request(n3).post('/locks/report-5/preempt').send({ clientId: alice }).expect(200);
    const released = await request(n2).post('/locks/report-5/release').send({ clientId: alice }).expect(200);
    expect(released.body).toEqual({ name: 'report-5', released: true });
    for (const url of [n1, n2, n3]) {
      await waitFor(
        `${url} to see report-5 free`,
        async () => (await request(url).get('/locks/report-5')).body.owner === null,
      );
      expect((await request(url).get('/locks/report-5')).body).toMatchObject({
        owner: null,
        fencingToken: null,
      });
    }
  });

  it('hands out strictly increasing fencing tokens', async () => {
    const tokens: number[] = [];
    for (let round = 0; round < 5; round++) {
      const client = newClientId();
      const url = [n1, n2, n3][round % 3];
      const grant = await request(url).post('/locks/report-6/preempt').send({ clientId: client }).expect(200);
      tokens.push(grant.body.fencingToken);
      await request(url).post('/locks/report-6/release').send({ clientId: client }).expect(200);
    }
    for (let i = 1; i < tokens.length; i++) expect(tokens[i]).toBeGreaterThan(tokens[i - 1]);
  });

  it('lists held locks by prefix, sorted', async () => {
    const alice = newClientId();
    await request(n1).post('/locks/list:b/preempt').send({ clientId: alice }).expect(200);
    await request(n1).post('/locks/list:a/preempt').send({ clientId: alice }).expect(200);
    const listed = await request(n1).get('/locks').query({ prefix: 'list:' }).expect(200);
    expect(listed.body.map((l: { name: string }) => l.name)).toEqual(['list:a', 'list:b']);
    expect(listed.body[0]).toEqual({ name: 'list:a', owner: alice, fencingToken: expect.any(Number) });
  });

  it('gives exactly one of 50 racing clients the lock, and every node agrees', async () => {
    const clients = Array.from({ length: 50 }, () => newClientId());
    const urls = [n1, n2, n3];
    const answers = await Promise.all(
      clients.map((clientId, i) =>
        request(urls[i % 3])
          .post('/locks/contended/preempt')
          .send({ clientId }),
      ),
    );
    const winners = answers.filter((a) => a.status === 200);
    expect(winners).toHaveLength(1);
    expect(answers.filter((a) => a.status === 409)).toHaveLength(49);
    const owner = winners[0].body.owner;
    for (const loser of answers.filter((a) => a.status === 409)) expect(loser.body.owner).toBe(owner);
    await cluster.waitForConvergence();
    for (const url of urls) expect((await request(url).get('/locks/contended')).body.owner).toBe(owner);
  });

  it('reports the cluster: one leader, three members, no lag once converged', async () => {
    await cluster.waitForConvergence();
    const leader = await cluster.leader();
    const status = (await request(leader.url).get('/cluster').expect(200)).body;
    expect(status).toMatchObject({ id: leader.id, role: 'leader', leaderId: leader.id });
    expect(status.members.map((m: { id: string }) => m.id).sort()).toEqual(['n1', 'n2', 'n3']);
    await waitFor('followers to catch up', async () => {
      const s = (await request(leader.url).get('/cluster')).body;
      return s.members.every((m: { lag: number }) => m.lag === 0);
    });
    for (const url of [n1, n2, n3]) await request(url).get('/health').expect(200);
  });
});
