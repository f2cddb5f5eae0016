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
import { waitFor } from './support/wait-for';

// An acknowledged change is in the fsync'd WAL of a majority before any client hears
// "ok" (ARCHITECTURE.md, "The consistency contract"): it survives SIGKILL of a follower, the leader, all.
jest.setTimeout(60_000);

describe('durability across kill -9', () => {
  let cluster: LocalCluster;
  /** every grant a client was told about and that nobody released */
  const acknowledged = new Map<string, Grant>();

  beforeAll(async () => {
    cluster = await LocalCluster.start({ size: 3 });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  /** Concurrent grants through every running node; every one must be acknowledged. */
  async function grantBatch(prefix: string, count: number): Promise<Grant[]> {
    const urls = cluster.running().map((n) => n.url);
    const grants = await Promise.all(
      Array.from({ length: count }, (_, i) => grant(urls[i % urls.length], `${prefix}:${i}`, newClientId())),
    );
    for (const g of grants) acknowledged.set(g.name, g);
    return grants;
  }

  async function expectEveryAcknowledgedGrantOn(url: string): Promise<void> {
    const listed = byName(await listLocks(url));
    for (const [name, g] of acknowledged) expect(listed[name] ?? { name, missing: true }).toEqual(g);
  }

  it('keeps every acknowledged grant on a follower killed with SIGKILL and restarted', async () => {
    await grantBatch('follower-kill', 30);
    const leader = await cluster.leader();
    const follower = cluster.running().find((n) => n.id !== leader.id)!;
    await cluster.waitForConvergence();
    await expectEveryAcknowledgedGrantOn(follower.url);

    await cluster.kill(follower.id, 'SIGKILL');
    // With both peers stopped, whatever the restarted follower shows comes from its own WAL.
    const others = cluster.running();
    for (const other of others) cluster.pause(other.id);
    try {
      await cluster.startNode(follower.id);
      await waitFor(
        `${follower.id} to re-apply its WAL`,
        async () => (await listLocks(follower.url)).length >= acknowledged.size,
        { timeoutMs: 5000 },
      ).catch(() => undefined);
      await expectEveryAcknowledgedGrantOn(follower.url);
    } finally {
      for (const other of others) cluster.resume(other.id);
    }

    await cluster.waitForMembers(3);
    await waitForSameState(cluster);
    await expectEveryAcknowledgedGrantOn(follower.url);
  });

  it('survives SIGKILL of the leader right after a batch of grants: a new leader serves them all, and the old one rejoins', async () => {
    const oldLeader = await cluster.leader();
    const batch = await grantBatch('leader-kill', 30);
    const tokensBefore = [...acknowledged.values()].map((g) => g.fencingToken);
    const termBefore = (await clusterView(oldLeader.url)).term;

    await cluster.kill(oldLeader.id, 'SIGKILL');
    // The survivors name the dead leader until their election timeout passes.
    const newLeader = await waitFor('the survivors to elect a new leader', async () => {
      const agreed = await cluster.leader();
      return agreed.id !== oldLeader.id && agreed.process !== null ? agreed : undefined;
    });
    expect((await clusterView(newLeader.url)).term).toBeGreaterThan(termBefore);
    expect((await clusterView(newLeader.url)).role).toBe('leader');

    await waitForSameState(cluster);
    for (const survivor of cluster.running()) await expectEveryAcknowledgedGrantOn(survivor.url);
    expect(batch).toHaveLength(30);

    // New writes succeed through both survivors, with larger tokens than every earlier grant.
    const fresh = await grantBatch('after-failover', 10);
    const maxBefore = Math.max(...tokensBefore);
    for (const g of fresh) expect(g.fencingToken).toBeGreaterThan(maxBefore);
    const releaser = batch[0];
    await release(cluster.running()[0].url, releaser.name, releaser.owner);
    acknowledged.delete(releaser.name);
    const regrant = await grant(cluster.running()[1].url, releaser.name, newClientId());
    expect(regrant.fencingToken).toBeGreaterThan(Math.max(...fresh.map((g) => g.fencingToken)));
    acknowledged.set(regrant.name, regrant);

    // The old leader comes back with the same command line, as a follower.
    await cluster.startNode(oldLeader.id);
    await cluster.waitForMembers(3);
    await waitForSameState(cluster);
    await expectEveryAcknowledgedGrantOn(oldLeader.url);
    // It rejoins as a follower: its log is behind, so it cannot lead now.
    const current = await cluster.leader();
    expect(current.id).not.toBe(oldLeader.id);
    expect(await clusterView(oldLeader.url)).toMatchObject({ role: 'follower', leaderId: current.id });
  });

  it('answers a write through a survivor while the leader is dead with 503 and Retry-After, never 500', async () => {
    const oldLeader = await cluster.leader();
    const [survivor, stopped] = cluster.running().filter((n) => n.id !== oldLeader.id);
    await cluster.kill(oldLeader.id, 'SIGKILL');
    // With the other survivor stopped too, one node of three can neither elect a leader nor
    // commit: every write through it must be refused until the stopped node resumes.
    cluster.pause(stopped.id);
    let paused = true;
    const refusals: { status: number; retryAfter: string | undefined; body: unknown }[] = [];
    const tryWrite = async (): Promise<Grant | undefined> => {
      const clientId = newClientId();
      const name = `during-election:${refusals.length}`;
      const res = await request(survivor.url)
        .post(`/locks/${name}/preempt`)
        .send({ clientId })
        .timeout(20_000);
      if (res.status === 200) return { name, owner: clientId, fencingToken: res.body.fencingToken as number };
      refusals.push({ status: res.status, retryAfter: res.headers['retry-after'], body: res.body });
      return undefined;
    };
    try {
      // ARCHITECTURE.md ("The consistency contract"): a write that cannot be decided is a 503 with Retry-After.
      expect(await tryWrite()).toBeUndefined();
      cluster.resume(stopped.id);
      paused = false;
      const granted = await waitFor('a write through a survivor to be granted', tryWrite, {
        timeoutMs: 60_000,
      });
      acknowledged.set(granted.name, granted);
      expect(refusals.length).toBeGreaterThan(0);
      expect(refusals.filter((r) => r.status !== 503 || r.retryAfter === undefined)).toEqual([]);
    } finally {
      if (paused) cluster.resume(stopped.id);
      await cluster.startNode(oldLeader.id);
    }
    await cluster.waitForMembers(3);
    await waitForSameState(cluster);
  }, 150_000);

  it('keeps every acknowledged grant, owner and token, when all three nodes are killed with SIGKILL and restarted', async () => {
    await grantBatch('all-kill', 20);
    const expected = [...acknowledged.values()].sort((a, b) => a.name.localeCompare(b.name));

    await Promise.all(cluster.nodes.map((n) => cluster.kill(n.id, 'SIGKILL')));
    expect(cluster.running()).toHaveLength(0);
    for (const node of cluster.nodes) await cluster.startNode(node.id);

    await cluster.leader();
    const agreed = await waitForSameState(cluster);
    expect(agreed).toEqual(expected);
    for (const node of cluster.nodes) await expectEveryAcknowledgedGrantOn(node.url);

    // And it still takes writes, with tokens above every earlier one.
    const after = await grant(cluster.nodes[2].url, 'all-kill:after', newClientId());
    expect(after.fencingToken).toBeGreaterThan(Math.max(...expected.map((g) => g.fencingToken)));
  });
});
