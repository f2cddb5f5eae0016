import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { LockClient } from '@app/lock-client';
import { newClientId } from './support/client-ids';
import { clusterView, waitForSameState } from './support/cluster-state';
import { LocalCluster, type NodeHandle } from './support/local-cluster';
import { waitFor } from './support/wait-for';

jest.setTimeout(300_000);

// Snapshots, WAL compaction and InstallSnapshot on real processes (Raft section 7, thesis
// 5.3): with a snapshot every 500 entries and 64 KiB WAL segments, 20,000 writes leave every
// node's WAL small, a follower that missed them catches up from a snapshot, and kill -9 in
// the middle of writing or installing a snapshot, or a damaged snapshot, loses nothing.

const SNAPSHOT_EVERY = 500;
const SEGMENT_BYTES = 64 * 1024;
/** 40 clients x 251 cycles of preempt + release (the last one kept): 20,040 entries */
const CLIENTS = 40;
const CYCLES = 251;
/**
 * The WAL bound: the entries after the older of the two snapshots kept (at most about
 * 2 x 500 plus one batch) in 64 KiB segments, plus the segment being written. Without
 * compaction the same 20,000 writes take about 4 MiB (some 65 segments of 64 KiB).
 */
const WAL_BOUND_BYTES = 1024 * 1024;
/** segments written in all: the highest sequence number shows what compaction removed */
const SEGMENTS_WRITTEN_AT_LEAST = 40;
/** WAL plus the two snapshots (each holds the request-dedup table of the 40 clients) */
const DATA_DIR_BOUND_BYTES = 3 * 1024 * 1024;

interface Held {
  name: string;
  owner: string;
  fencingToken: number;
}

function filesOf(dir: string, match: (name: string) => boolean): string[] {
  return readdirSync(dir)
    .filter(match)
    .map((name) => join(dir, name));
}

function bytesOf(files: string[]): number {
  return files.reduce((sum, file) => sum + statSync(file).size, 0);
}

const isSegment = (name: string) => /^wal(-\d{10})?\.log$/.test(name);
const isSnapshot = (name: string) => name.endsWith('.snap');

/** Cycles of preempt + release through the SDK's TCP client, many in flight; each client keeps its last lock. */
async function writeEntries(addresses: string[], cycles: number, prefix: string): Promise<Held[]> {
  const clients = Array.from(
    { length: CLIENTS },
    () => new LockClient({ nodes: addresses, clientId: newClientId() }),
  );
  try {
    return await Promise.all(
      clients.map(async (client, i) => {
        const name = `${prefix}:${i}`;
        for (let cycle = 1; ; cycle++) {
          const grant = await client.preempt(name);
          if (!grant.acquired || grant.owner === null || grant.fencingToken === null)
            throw new Error(`${name} was not granted: ${JSON.stringify(grant)}`);
          if (cycle === cycles) return { name, owner: grant.owner, fencingToken: grant.fencingToken };
          await client.release(name);
        }
      }),
    );
  } finally {
    for (const client of clients) await client.close();
  }
}

interface SnapshotView {
  appliedIndex: number;
  snapshotIndex: number;
  firstLogIndex: number;
  walBytes: number;
  snapshotsInstalled: number;
}

async function snapshotView(node: NodeHandle): Promise<SnapshotView> {
  return (await request(node.url).get('/cluster').timeout(5000).expect(200)).body as SnapshotView;
}

describe('snapshots and log compaction', () => {
  let cluster: LocalCluster;
  let addresses: string[];
  let held: Held[] = [];

  /** Every held lock, checked on `node` itself: owner and token as granted. */
  async function expectHeldOn(node: NodeHandle): Promise<void> {
    for (const lock of held) {
      const answer = (await request(node.url).get(`/locks/${lock.name}`).expect(200)).body as Record<
        string,
        unknown
      >;
      expect(answer).toMatchObject({ owner: lock.owner, fencingToken: lock.fencingToken, servedBy: node.id });
    }
  }

  async function convergedWithHeld(): Promise<void> {
    const agreed = await waitForSameState(cluster, 120_000);
    expect(agreed.filter((g) => held.some((h) => h.name === g.name)).length).toBe(held.length);
    for (const node of cluster.running()) await expectHeldOn(node);
  }

  beforeAll(async () => {
    cluster = await LocalCluster.start({
      size: 3,
      env: {
        LATCHKEY_SNAPSHOT_EVERY: String(SNAPSHOT_EVERY),
        LATCHKEY_WAL_SEGMENT_BYTES: String(SEGMENT_BYTES),
      },
    });
    addresses = cluster.nodes.map((n) => n.tcpAddress);
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('20,000 writes keep every WAL small; a follower that missed them catches up through InstallSnapshot', async () => {
    await cluster.kill('n3');
    held = await writeEntries(addresses.slice(0, 2), CYCLES, 'snap');
    const leader = await cluster.leader();
    const { commitIndex } = await clusterView(leader.url);
    expect(commitIndex).toBeGreaterThanOrEqual(2 * CLIENTS * CYCLES - CLIENTS);

    const n3 = await cluster.startNode('n3');
    await waitFor(
      `n3 to apply ${commitIndex}`,
      async () => (await snapshotView(n3)).appliedIndex >= commitIndex,
      {
        timeoutMs: 120_000,
      },
    );
    const caughtUp = await snapshotView(n3);
    // It received a snapshot, not the 20,000 entries: its log starts after them.
    expect(caughtUp.snapshotsInstalled).toBeGreaterThanOrEqual(1);
    expect(caughtUp.firstLogIndex).toBeGreaterThan(commitIndex - 2 * SNAPSHOT_EVERY - 600);
    expect(readFileSync(n3.logFile, 'utf8')).toMatch(/installed snapshot at index \d+/);
    await convergedWithHeld();

    for (const node of cluster.nodes) {
      const view = await snapshotView(node);
      const segments = filesOf(node.dataDir, isSegment);
      expect({ node: node.id, wal: bytesOf(segments) < WAL_BOUND_BYTES }).toEqual({
        node: node.id,
        wal: true,
      });
      expect(view.walBytes).toBeLessThan(WAL_BOUND_BYTES);
      expect(bytesOf(filesOf(node.dataDir, () => true))).toBeLessThan(DATA_DIR_BOUND_BYTES);
      expect(view.snapshotIndex).toBeGreaterThan(commitIndex - 2 * SNAPSHOT_EVERY - 600);
      expect(filesOf(node.dataDir, isSnapshot).length).toBeLessThanOrEqual(2);
    }
    const written = Math.max(
      ...filesOf(cluster.node('n1').dataDir, isSegment).map((f) => Number(/wal-(\d+)/.exec(f)?.[1] ?? 0)),
    );
    expect(written).toBeGreaterThanOrEqual(SEGMENTS_WRITTEN_AT_LEAST);
  });

  it('kill -9 while a node writes a snapshot: it restarts from the previous good one and catches up', async () => {
    const n2 = cluster.node('n2');
    await cluster.kill('n2', 'SIGTERM');
    await cluster.startNode('n2', { LATCHKEY_UNSAFE_TEST_SWITCHES: 'slow-snapshot-files' });
    const before = filesOf(n2.dataDir, isSnapshot);
    const writing = writeEntries(addresses, 8, 'during-write');
    await waitFor(
      'n2 to be writing a snapshot',
      () => filesOf(n2.dataDir, (n) => n.endsWith('.snap.tmp')).length > 0,
      {
        timeoutMs: 120_000,
        intervalMs: 20,
      },
    );
    await cluster.kill('n2', 'SIGKILL');
    const lateHeld = await writing;
    expect(filesOf(n2.dataDir, isSnapshot).sort()).toEqual(before.sort());

    const previousGood = Math.max(...before.map((f) => Number(/snapshot-(\d+)-/.exec(f)?.[1])));
    const logBefore = readFileSync(n2.logFile, 'utf8').length;
    await cluster.startNode('n2');
    expect(readFileSync(n2.logFile, 'utf8').slice(logBefore)).toContain(
      `restored snapshot at index ${previousGood} `,
    );
    held = [...held, ...lateHeld];
    await convergedWithHeld();
  });

  it('kill -9 while a follower installs a snapshot: it restarts from its previous state and catches up', async () => {
    const n3 = cluster.node('n3');
    await cluster.kill('n3', 'SIGKILL');
    held = [...held, ...(await writeEntries(addresses.slice(0, 2), 14, 'during-install'))];
    await cluster.startNode('n3', { LATCHKEY_UNSAFE_TEST_SWITCHES: 'slow-snapshot-files' });
    await waitFor(
      'n3 to be receiving a snapshot',
      () => filesOf(n3.dataDir, (n) => n.endsWith('.part')).length > 0,
      {
        timeoutMs: 120_000,
        intervalMs: 20,
      },
    );
    await cluster.kill('n3', 'SIGKILL');

    await cluster.startNode('n3');
    await convergedWithHeld();
    expect((await snapshotView(n3)).snapshotsInstalled).toBe(1);
  });

  it('a corrupt latest snapshot: the node starts from the previous one and says so', async () => {
    const n2 = cluster.node('n2');
    // Two snapshots of its own, so there is a previous one to fall back to.
    held = [...held, ...(await writeEntries(addresses, 8, 'before-corruption'))];
    await waitFor('n2 to hold two snapshots', () => filesOf(n2.dataDir, isSnapshot).length === 2, {
      timeoutMs: 60_000,
    });
    await cluster.kill('n2', 'SIGTERM');
    const [newest, previous] = filesOf(n2.dataDir, isSnapshot).sort().reverse();
    const data = readFileSync(newest);
    data[Math.floor(data.length / 2)] ^= 0xff;
    writeFileSync(newest, data);

    const logBefore = readFileSync(n2.logFile, 'utf8').length;
    await cluster.startNode('n2');
    const log = readFileSync(n2.logFile, 'utf8').slice(logBefore);
    expect(log).toMatch(
      /snapshot \S+ is corrupt \(checksum mismatch\); set aside as \.corrupt, falling back/,
    );
    const previousIndex = Number(/snapshot-(\d+)-/.exec(previous)?.[1]);
    expect(log).toContain(`restored snapshot at index ${previousIndex}`);
    expect(existsSync(`${newest}.corrupt`)).toBe(true);
    await convergedWithHeld();
  });
});
