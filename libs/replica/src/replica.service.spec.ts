import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { EventBus } from '@nestjs/cqrs';
import type { NodeOptions } from './node-options';
import { ReplicaService } from './replica.service';

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
    tickMs: 10,
    heartbeatMs: 50,
    electionTimeoutMinMs: 400,
    electionTimeoutMaxMs: 800,
    requestTimeoutMs: 3_000,
    maxBodyBytes: 16_384,
  };
}

describe('ReplicaService on a one-member cluster', () => {
  let dir: string;
  let replica: ReplicaService;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-replica-'));
    const eventBus = { publish: () => undefined } as unknown as EventBus;
    replica = new ReplicaService(singleNodeOptions(dir), eventBus);
    await replica.onModuleInit();
    await replica.start();
  });

  afterEach(async () => {
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
});
