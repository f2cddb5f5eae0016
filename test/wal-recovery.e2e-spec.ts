import { appendFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { newClientId } from './support/client-ids';
import { grant, runNodeUntilExit, waitForSameState } from './support/cluster-state';
import { LocalCluster, type NodeHandle } from './support/local-cluster';
import { waitFor } from './support/wait-for';

jest.setTimeout(60_000);

// The WAL on a real node (ARCHITECTURE.md, "The WAL format"): records are [u32 BE length][u32 BE crc32]
// [JSON]; a torn tail is cut off on start, damage before the tail refuses to start.
describe('WAL recovery', () => {
  let cluster: LocalCluster;

  beforeAll(async () => {
    cluster = await LocalCluster.start({ size: 3 });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  const walOf = (node: NodeHandle) => join(node.dataDir, 'wal.log');

  async function someFollower(except: string[] = []): Promise<NodeHandle> {
    const leader = await cluster.leader();
    return cluster.running().find((n) => n.id !== leader.id && !except.includes(n.id))!;
  }

  async function writeSome(prefix: string, count: number): Promise<void> {
    const urls = cluster.running().map((n) => n.url);
    for (let i = 0; i < count; i++) await grant(urls[i % urls.length], `${prefix}:${i}`, newClientId());
  }

  it('cuts a torn tail on start, says so in its log, converges, and takes new writes', async () => {
    await writeSome('torn', 10);
    await cluster.waitForConvergence();
    const victim = await someFollower();
    await cluster.kill(victim.id, 'SIGKILL');

    const wal = walOf(victim);
    const intact = readFileSync(wal);
    expect(intact.length).toBeGreaterThan(0);
    // A header claiming 100 bytes of payload, followed by only 10: an append cut short.
    const header = Buffer.alloc(8);
    header.writeUInt32BE(100, 0);
    header.writeUInt32BE(0xdeadbeef, 4);
    appendFileSync(wal, Buffer.concat([header, Buffer.from('{"t":"entr')]));
    expect(statSync(wal).size).toBe(intact.length + 18);

    await cluster.startNode(victim.id);
    expect(cluster.tail(victim.id, 200)).toContain(
      `WAL ${wal}: torn tail at byte offset ${intact.length} (record of 100 bytes runs past end of file); truncating ${intact.length + 18} -> ${intact.length} bytes`,
    );
    // Everything before the tail is kept byte for byte; new records follow it.
    expect(readFileSync(wal).subarray(0, intact.length)).toEqual(intact);

    await cluster.waitForMembers(3);
    await waitForSameState(cluster);
    const leader = await cluster.leader();
    const fresh = await grant(leader.url, 'torn:after-restart', newClientId());
    await waitFor(
      `${victim.id} to apply the new grant`,
      async () => (await request(victim.url).get('/locks/torn:after-restart')).body.owner === fresh.owner,
    );
    expect((await request(victim.url).get('/locks/torn:after-restart').expect(200)).body).toMatchObject({
      owner: fresh.owner,
      fencingToken: fresh.fencingToken,
      servedBy: victim.id,
    });
    // The record written after the cut is readable on the next start too.
    await cluster.restart(victim.id);
    await waitForSameState(cluster);
    expect((await request(victim.url).get('/locks/torn:after-restart').expect(200)).body.owner).toBe(
      fresh.owner,
    );
  });

  it('starts when only its last write is damaged: the page holding its header was lost, the rest landed', async () => {
    await writeSome('lost-page', 5);
    await cluster.waitForConvergence();
    const victim = await someFollower();
    await cluster.kill(victim.id, 'SIGKILL');

    const wal = walOf(victim);
    const data = readFileSync(wal);
    let lastStart = 0;
    for (let offset = 0; offset < data.length; offset += 8 + data.readUInt32BE(offset)) lastStart = offset;
    expect(lastStart).toBeGreaterThan(0);
    // Zeros where the last record's header was, its payload intact after them.
    data.fill(0, lastStart, lastStart + 8);
    writeFileSync(wal, data);

    await cluster.startNode(victim.id);
    expect(cluster.tail(victim.id, 200)).toContain(
      `WAL ${wal}: torn tail at byte offset ${lastStart} (implausible record length 0 in the last record); truncating ${data.length} -> ${lastStart} bytes`,
    );
    await cluster.waitForMembers(3);
    await waitForSameState(cluster);
    const fresh = await grant((await cluster.leader()).url, 'lost-page:after-restart', newClientId());
    await waitFor(
      `${victim.id} to apply the new grant`,
      async () =>
        (await request(victim.url).get('/locks/lost-page:after-restart')).body.owner === fresh.owner,
    );
  });

  it('refuses to start on corruption before the tail, naming the file and the byte offset, while the others keep serving', async () => {
    await writeSome('rot', 5);
    await cluster.waitForConvergence();
    const victim = await someFollower();
    await cluster.kill(victim.id, 'SIGKILL');

    const wal = walOf(victim);
    const data = readFileSync(wal);
    const firstLength = data.readUInt32BE(0);
    expect(8 + firstLength).toBeLessThan(data.length);
    data[8 + Math.floor(firstLength / 2)] ^= 0x20;
    writeFileSync(wal, data);

    const run = await runNodeUntilExit(cluster, victim.id);
    expect(run.signal).toBeNull();
    expect(run.code).not.toBe(0);
    expect(run.output).toContain(wal);
    expect(run.output).toContain('byte offset 0');
    expect(run.output).toContain(
      `WAL ${wal} is corrupt at byte offset 0: checksum mismatch; refusing to start`,
    );
    // It did not "repair" the file: an operator decides.
    expect(readFileSync(wal)).toEqual(data);

    // The other two are a majority: they keep taking writes and agree.
    const survivors = cluster.running();
    expect(survivors.map((n) => n.id)).not.toContain(victim.id);
    expect(survivors).toHaveLength(2);
    const grants = [];
    for (const [i, node] of survivors.entries())
      grants.push(await grant(node.url, `rot:while-down:${i}`, newClientId()));
    await waitForSameState(cluster);
    for (const node of survivors) {
      for (const g of grants)
        expect((await request(node.url).get(`/locks/${g.name}`).expect(200)).body.owner).toBe(g.owner);
      await request(node.url).get('/health').expect(200);
    }
  });
});
