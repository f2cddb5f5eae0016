import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { ClientProxyFactory, Transport } from '@nestjs/microservices';
import { firstValueFrom, timeout } from 'rxjs';
import request from 'supertest';
import { MessagePatterns, type ClusterStatus, type JoinClusterResponse } from '@app/protocol';
import { newClientId } from './support/client-ids';
import { clusterView, grant, runNodeUntilExit, waitForSameState } from './support/cluster-state';
import { freePort } from './support/free-port';
import { LocalCluster, type NodeHandle } from './support/local-cluster';
import { waitFor } from './support/wait-for';

// A node's data directory has an identity of its own, recorded in the membership when it
// joins. A member that comes back with an empty directory under its old id has lost the log
// and the votes its place in every majority stands for: it is refused (exit code 1, with the
// way out) until the old member is removed, and then joins again as a learner that is
// promoted once caught up. A joining node that never answers stays a learner: it never
// counts in a majority and can be removed.
jest.setTimeout(120_000);

const ELECTION_TIMEOUT_MAX_MS = 800;
const ENV = {
  LATCHKEY_HEARTBEAT_MS: '50',
  LATCHKEY_ELECTION_TIMEOUT_MIN_MS: '400',
  LATCHKEY_ELECTION_TIMEOUT_MAX_MS: String(ELECTION_TIMEOUT_MAX_MS),
  LATCHKEY_REQUEST_TIMEOUT_MS: '1500',
};

interface MemberView {
  id: string;
  role: string;
  storageId: string;
  matchIndex: number | null;
}

async function membersOf(node: NodeHandle): Promise<MemberView[]> {
  const res = await request(node.url).get('/cluster').timeout(2000);
  if (res.status !== 200) throw new Error(`GET /cluster on ${node.id} answered ${res.status}`);
  return (res.body as { members: MemberView[] }).members;
}

describe('rejoining after a lost data directory', () => {
  let cluster: LocalCluster;

  beforeAll(async () => {
    cluster = await LocalCluster.start({ size: 3, env: ENV });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('refuses a wiped member under its old id (exit code 1, naming DELETE /cluster/members/{id}); once removed, the same id joins again, catches up and counts', async () => {
    const leader = await cluster.leader();
    const victim = cluster.nodes.find((n) => n.id !== leader.id && n.app === 'follower')!;
    const other = cluster.nodes.find((n) => n.id !== leader.id && n.id !== victim.id)!;
    const before = [];
    for (let i = 0; i < 5; i++)
      before.push(await grant(cluster.nodes[i % 3].url, `rejoin:before:${i}`, newClientId()));
    await cluster.waitForConvergence();
    const oldStorage = (await membersOf(leader)).find((m) => m.id === victim.id)!.storageId;

    // The directory is lost; the operator starts the node again with its same command line.
    await cluster.kill(victim.id, 'SIGKILL');
    rmSync(victim.dataDir, { recursive: true, force: true });
    const refused = await runNodeUntilExit(cluster, victim.id, ENV, 60_000);
    expect({ code: refused.code, signal: refused.signal }).toEqual({ code: 1, signal: null });
    expect(refused.output).toMatch(
      new RegExp(`join through .* refused: ${victim.id} is already a voting member`),
    );
    expect(refused.output).toContain(`DELETE /cluster/members/${victim.id}`);
    // It took nothing: the cluster still records the old storage, and the two intact nodes serve.
    expect((await membersOf(leader)).find((m) => m.id === victim.id)?.storageId).toBe(oldStorage);
    await grant(other.url, 'rejoin:while-refused', newClientId());

    const removed = await request(other.url).delete(`/cluster/members/${victim.id}`).timeout(10_000);
    expect(`${removed.status} ${JSON.stringify(removed.body)}`).toMatch(/^200 /);
    expect((removed.body as JoinClusterResponse).members.map((m) => m.id).sort()).toEqual(
      [leader.id, other.id].sort(),
    );

    await cluster.startNode(victim.id);
    await cluster.waitForMembers(3);
    const rejoined = (await membersOf(await cluster.leader())).find((m) => m.id === victim.id)!;
    expect(rejoined.role).not.toBe('learner');
    expect(rejoined.storageId).not.toBe(oldStorage);
    const agreed = await waitForSameState(cluster);
    expect(agreed.map((g) => g.name)).toEqual(
      expect.arrayContaining([...before.map((g) => g.name), 'rejoin:while-refused']),
    );

    // It counts now: with the other follower gone, the leader and the rejoined node commit.
    await cluster.kill(other.id, 'SIGKILL');
    const after = await grant(victim.url, 'rejoin:after', newClientId(), 30_000);
    expect(after.fencingToken).toBeGreaterThan(Math.max(...before.map((g) => g.fencingToken)));
    const seen = await request(victim.url)
      .get('/locks/rejoin:after')
      .query({ consistency: 'linearizable' })
      .timeout(10_000);
    expect({ status: seen.status, owner: (seen.body as { owner: string | null }).owner }).toEqual({
      status: 200,
      owner: after.owner,
    });
  });
});

describe('a join from an address that never answers', () => {
  let cluster: LocalCluster;

  beforeAll(async () => {
    // Without a cluster secret: the test sends the join itself, unsealed, as a node would
    // without one (a sealed join is tested in peer-authentication.e2e-spec.ts).
    cluster = await LocalCluster.start({ size: 1, env: { ...ENV, LATCHKEY_CLUSTER_SECRET: '' } });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('leaves a one-node cluster writable, shows the learner in GET /cluster, and lets it be removed', async () => {
    const n1 = cluster.node('n1');
    const { term } = await clusterView(n1.url);
    const deadPort = await freePort();
    const client = ClientProxyFactory.create({
      transport: Transport.TCP,
      options: { host: '127.0.0.1', port: n1.port },
    });
    let joined: JoinClusterResponse;
    try {
      joined = await firstValueFrom(
        client
          .send<JoinClusterResponse>(MessagePatterns.join, {
            id: 'n9',
            tcpAddress: `127.0.0.1:${deadPort}`,
            httpAddress: `127.0.0.1:${deadPort}`,
            storageId: randomUUID(),
          })
          .pipe(timeout(10_000)),
      );
    } finally {
      await client.close();
    }
    expect(joined.members.find((m) => m.id === 'n9')).toMatchObject({ learner: true });

    // Several election timeouts later n1 still leads the same term and takes writes.
    const since = Date.now();
    let writes = 0;
    await waitFor(
      `writes for 4 election timeouts after the join`,
      async () => {
        await grant(n1.url, `ghost:write:${writes++}`, newClientId(), 5000);
        return Date.now() - since > 4 * ELECTION_TIMEOUT_MAX_MS;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    const view = (await request(n1.url).get('/cluster').timeout(2000)).body as ClusterStatus;
    expect({ role: view.role, term: view.term, leaderId: view.leaderId }).toEqual({
      role: 'leader',
      term,
      leaderId: 'n1',
    });
    expect(view.members.map((m) => [m.id, m.role, m.matchIndex])).toEqual([
      ['n1', 'leader', view.lastIndex],
      ['n9', 'learner', 0],
    ]);

    const removed = await request(n1.url).delete('/cluster/members/n9').timeout(10_000);
    expect(`${removed.status} ${JSON.stringify(removed.body)}`).toMatch(/^200 /);
    expect((await membersOf(n1)).map((m) => m.id)).toEqual(['n1']);
    await grant(n1.url, 'ghost:after-removal', newClientId(), 5000);
    // The last voter cannot be removed.
    const last = await request(n1.url).delete('/cluster/members/n1').timeout(10_000);
    expect(last.status).toBe(400);
  });
});
