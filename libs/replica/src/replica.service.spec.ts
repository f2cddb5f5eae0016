import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { NodeOptions } from './node-options';
import { AppliedEntriesPublisher } from './applied-entries.publisher';
import { ReplicaService } from './replica.service';

const LONG_ELECTION_TIMEOUT_MS = 60_000;

/** A real node (real WAL file), with no peers and no ports: a freshly bootstrapped cluster. */
function singleNodeOptions(dataDir: string): NodeOptions {
  return {
    id: 'n1',
    host: '127.0.0.1',
    port: 1,
    httpPort: 2,
    dataDir,
    join: null,
    bootstrap: true,
    peers: [],
    clusterSecret: null,
    advertiseTcpAddress: null,
    tickMs: 10,
    heartbeatMs: 50,
    // Long, so check-quorum (counted in ticks) cannot step down while the test runs.
    electionTimeoutMinMs: LONG_ELECTION_TIMEOUT_MS,
    electionTimeoutMaxMs: 2 * LONG_ELECTION_TIMEOUT_MS,
    requestTimeoutMs: 2_000,
    maxBodyBytes: 16_384,
    snapshotEvery: 10_000,
    walSegmentBytes: 64 * 1024 * 1024,
  };
}

const SESSION_ID = 'a'.repeat(32);
const CLIENT_ID = '5f0c8a1e-7b9d-5c3e-9a41-0d2b6f7e8c11';

describe('ReplicaService on a one-member cluster', () => {
  let dir: string;
  let replica: ReplicaService;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-replica-'));
    replica = new ReplicaService(singleNodeOptions(dir), new AppliedEntriesPublisher());
    await replica.onModuleInit();
    await replica.start();
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await replica.onApplicationShutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('confirms a ReadIndex round at once: its only voter is a majority', async () => {
    expect(replica.isLeader).toBe(true);
    const commitIndex = replica.status().commitIndex;
    expect(commitIndex).toBeGreaterThan(0);
    await expect(replica.readIndex()).resolves.toEqual({ type: 'index', index: commitIndex });
    await expect(replica.readIndex()).resolves.toEqual({ type: 'index', index: commitIndex });
  });

  it('acknowledges a keepalive only while a majority was heard within an election timeout', async () => {
    const opened = await replica.propose({
      type: 'openSession',
      sessionId: SESSION_ID,
      clientId: CLIENT_ID,
      ttlMs: 600_000,
    });
    expect(opened).toMatchObject({ type: 'applied', outcome: { type: 'sessionOpened' } });
    await expect(replica.keepAlive(SESSION_ID)).resolves.toEqual({ type: 'alive', ttlMs: 600_000 });

    // A second member that never answers: from now on a majority needs it.
    const silent = {
      id: 'n2',
      tcpAddress: '127.0.0.1:1',
      httpAddress: '127.0.0.1:2',
      storageId: 'silent-storage',
    };
    const change = replica.changeMembership([replica.self(), silent]);
    expect(replica.members.map((m) => m.id)).toEqual(['n1', 'n2']);
    // Still within an election timeout of the last confirmation: nobody else can lead yet.
    await expect(replica.keepAlive(SESSION_ID)).resolves.toEqual({ type: 'alive', ttlMs: 600_000 });

    // The process stalls past an election timeout. Check-quorum counts ticks and saw none,
    // so the core still believes it leads; the monotonic clock knows better.
    const resumedAt = performance.now() + LONG_ELECTION_TIMEOUT_MS + 1;
    jest.spyOn(performance, 'now').mockImplementation(() => resumedAt);
    expect(replica.isLeader).toBe(true);
    await expect(replica.keepAlive(SESSION_ID)).resolves.toMatchObject({ type: 'unavailable' });
    await change;
  });
});
