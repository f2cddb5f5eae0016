import { Logger, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Transport, type MicroserviceOptions } from '@nestjs/microservices';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '../../../test/support/free-port';
import { waitFor } from '../../../test/support/wait-for';
import type { NodeOptions } from './node-options';
import { PeerGate } from './peer-gate';
import { ReplicaModule } from './replica.module';
import { ReplicaService } from './replica.service';

const CLIENT_ID = '5f0c8a1e-7b9d-5c3e-9a41-0d2b6f7e8c11';
const LONG_ELECTION_TIMEOUT_MS = 60_000;
/** Small, so that a few writes make the leader snapshot and compact its log (Raft section 7). */
const SNAPSHOT_EVERY = 5;
const WRITES = 30;

interface Node {
  app: INestMicroservice;
  replica: ReplicaService;
  options: NodeOptions;
}

async function nodeOptions(id: string, dataDir: string, bootstrap: boolean): Promise<NodeOptions> {
  return {
    id,
    host: '127.0.0.1',
    port: await freePort(),
    httpPort: await freePort(),
    dataDir,
    join: null,
    bootstrap,
    peers: [],
    clusterSecret: null,
    advertiseTcpAddress: null,
    tickMs: 10,
    heartbeatMs: 50,
    // Long, so that neither node starts an election or steps down while the test runs.
    electionTimeoutMinMs: LONG_ELECTION_TIMEOUT_MS,
    electionTimeoutMaxMs: 2 * LONG_ELECTION_TIMEOUT_MS,
    requestTimeoutMs: 5_000,
    maxBodyBytes: 16_384,
    snapshotEvery: SNAPSHOT_EVERY,
    walSegmentBytes: 64 * 1024,
  };
}

/** The replication half of a node (no lock API): the WAL replayed, then the TCP port opened. */
async function startNode(options: NodeOptions): Promise<Node> {
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(ReplicaModule.forRoot(options), {
    transport: Transport.TCP,
    options: { host: options.host, port: options.port },
    logger: false,
  });
  await app.init();
  const replica = app.get(ReplicaService);
  await replica.start();
  await app.listen();
  return { app, replica, options };
}

/**
 * A leader that has snapshotted and compacted its log past a new member's (empty) log can
 * only bring it up to date with the snapshot: sent in chunks by SnapshotSender, received
 * and installed by the member's SnapshotKeeper (Raft section 7, thesis 5.3).
 */
describe('snapshot transfer between two nodes in this process', () => {
  const dirs: string[] = [];
  const nodes: Node[] = [];
  let leader: Node;

  const tempDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-snapshots-'));
    dirs.push(dir);
    return dir;
  };

  beforeAll(async () => {
    Logger.overrideLogger(false);
    leader = await startNode(await nodeOptions('n1', tempDir(), true));
    nodes.push(leader);
    for (let i = 0; i < WRITES; i++) {
      const result = await leader.replica.propose({
        type: 'preempt',
        name: `lock-${i}`,
        clientId: CLIENT_ID,
      });
      expect(result).toMatchObject({ type: 'applied' });
    }
  });

  afterAll(async () => {
    for (const node of nodes) await node.app.close();
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
    Logger.overrideLogger(['log', 'error', 'warn']);
  });

  it('snapshots the leader every few entries', async () => {
    await waitFor('a snapshot file on the leader', () =>
      fs.readdirSync(leader.options.dataDir).some((name) => name.startsWith('snapshot')),
    );
    expect(leader.replica.table.ownerOf(`lock-${WRITES - 1}`)).toMatchObject({ owner: CLIENT_ID });
  });

  it('brings a new member up to date with the snapshot, then with the entries after it', async () => {
    const member = await startNode(await nodeOptions('n2', tempDir(), false));
    nodes.push(member);
    const clusterId = leader.app.get(PeerGate).identity.id;
    expect(clusterId).not.toBeNull();
    await member.app.get(PeerGate).identity.adopt(clusterId!);

    const change = await leader.replica.changeMembership([leader.replica.self(), member.replica.self()]);
    expect(change).toMatchObject({ type: 'applied' });
    await waitFor('n2 to install a snapshot and catch up', () => {
      const installed = member.replica.storageStatus().snapshotsInstalled;
      return installed === 1 && member.replica.status().commitIndex === leader.replica.status().commitIndex;
    });
    for (let i = 0; i < WRITES; i++)
      expect(member.replica.table.ownerOf(`lock-${i}`)).toMatchObject({ owner: CLIENT_ID });

    const after = await leader.replica.propose({ type: 'preempt', name: 'after', clientId: CLIENT_ID });
    expect(after).toMatchObject({ type: 'applied' });
    await waitFor('n2 to apply the entry after the snapshot', () =>
      member.replica.table.ownerOf('after') !== null ? true : undefined,
    );
    expect(member.replica.members.map((m) => m.id)).toEqual(['n1', 'n2']);
  });

  it('restarts the member from its snapshot and WAL with the same state', async () => {
    const member = nodes.pop()!;
    const { commitIndex } = member.replica.status();
    await member.app.close();
    const restarted = await startNode(member.options);
    nodes.push(restarted);
    expect(restarted.replica.status().commitIndex).toBeGreaterThanOrEqual(commitIndex);
    expect(restarted.replica.table.ownerOf('lock-0')).toMatchObject({ owner: CLIENT_ID });
    expect(restarted.replica.table.ownerOf('after')).toMatchObject({ owner: CLIENT_ID });
  });
});
