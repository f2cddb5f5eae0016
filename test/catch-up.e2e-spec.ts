import request from 'supertest';
import { newClientId } from './support/client-ids';
import {
  byName,
  clusterView,
  grant,
  listLocks,
  release,
  waitForSameState,
  type Grant,
} from './support/cluster-state';
import { LocalCluster } from './support/local-cluster';

jest.setTimeout(60_000);

// A follower that starts late, or restarts after a SIGKILL, catches up from the leader's
// log (Raft section 5.3) and ends with the same map as everyone else.
describe('catching up', () => {
  let cluster: LocalCluster;

  beforeAll(async () => {
    cluster = await LocalCluster.start({ size: 3, startCount: 2 });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('brings a follower started after 50 grants to the same map and applied index', async () => {
    const [n1, n2] = cluster.running().map((n) => n.url);
    const granted: Grant[] = [];
    for (let i = 0; i < 50; i++) {
      granted.push(await grant(i % 2 === 0 ? n1 : n2, `late:${String(i).padStart(2, '0')}`, newClientId()));
    }
    // Two of them are released again, so the late node must apply releases too.
    for (const released of granted.splice(10, 2)) {
      await release(n1, released.name, released.owner);
    }

    const n3 = await cluster.startNode('n3');
    await cluster.waitForMembers(3);
    const agreed = await waitForSameState(cluster);

    expect(byName(agreed)).toEqual(byName(granted));
    expect(await listLocks(n3.url, 'late:')).toEqual(
      [...granted].sort((a, b) => a.name.localeCompare(b.name)),
    );
    const views = await Promise.all(cluster.nodes.map((n) => clusterView(n.url)));
    expect(new Set(views.map((v) => v.appliedIndex)).size).toBe(1);
    expect(views.map((v) => v.id).sort()).toEqual(['n1', 'n2', 'n3']);
    for (const g of granted.slice(0, 5)) {
      expect((await request(n3.url).get(`/locks/${g.name}`).expect(200)).body).toMatchObject({
        owner: g.owner,
        fencingToken: g.fencingToken,
        servedBy: 'n3',
      });
    }
  });

  it('brings a follower killed with SIGKILL while writes continue back to the same map', async () => {
    const leader = await cluster.leader();
    const victim = cluster.running().find((n) => n.id !== leader.id)!;
    const writers = cluster
      .running()
      .filter((n) => n.id !== victim.id)
      .map((n) => n.url);
    const held = new Map<string, Grant>();
    let turn = 0;
    const next = () => writers[turn++ % writers.length];

    const writeRound = async (round: string, count: number) => {
      for (let i = 0; i < count; i++) {
        const g = await grant(next(), `churn:${round}:${i}`, newClientId());
        held.set(g.name, g);
      }
    };
    const releaseSome = async (prefix: string, count: number) => {
      const names = [...held.keys()].filter((name) => name.startsWith(prefix)).slice(0, count);
      for (const name of names) {
        await release(next(), name, held.get(name)!.owner);
        held.delete(name);
      }
    };

    await writeRound('before', 15);
    // Kill the follower while a batch of writes is in flight.
    const inFlight = writeRound('during', 15);
    await cluster.kill(victim.id, 'SIGKILL');
    await inFlight;
    await writeRound('down', 15);
    await releaseSome('churn:before', 5);
    await releaseSome('churn:during', 3);

    await cluster.startNode(victim.id);
    // Writes go on while it catches up.
    await writeRound('after', 10);
    await releaseSome('churn:down', 4);

    const agreed = await waitForSameState(cluster);
    const churn = agreed.filter((g) => g.name.startsWith('churn:'));
    expect(byName(churn)).toEqual(Object.fromEntries(held));
    expect(await listLocks(victim.url, 'churn:')).toEqual(churn);
    // Every grant the restarted node shows carries the token the writer was told.
    for (const name of ['churn:before:7', 'churn:during:10', 'churn:down:14', 'churn:after:9']) {
      const onVictim = (await request(victim.url).get(`/locks/${name}`).expect(200)).body;
      expect(onVictim).toMatchObject({
        owner: held.get(name)!.owner,
        fencingToken: held.get(name)!.fencingToken,
        servedBy: victim.id,
      });
    }
    // Releases made while it was down, and while it caught up, are applied on it too.
    for (const name of ['churn:before:0', 'churn:during:0', 'churn:down:0']) {
      expect(held.has(name)).toBe(false);
      expect((await request(victim.url).get(`/locks/${name}`).expect(200)).body).toMatchObject({
        owner: null,
        fencingToken: null,
      });
    }
  });
});
