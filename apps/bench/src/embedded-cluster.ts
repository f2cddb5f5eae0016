import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, closeSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const START_DEADLINE_MS = 60_000;
const STOP_GRACE_MS = 5_000;
const POLL_MS = 100;

interface EmbeddedNode {
  id: string;
  tcpAddress: string;
  httpUrl: string;
  child: ChildProcess;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  if (address === null || typeof address === 'string') throw new Error('no TCP port assigned');
  return address.port;
}

async function clusterMembers(httpUrl: string): Promise<number> {
  try {
    const response = await fetch(`${httpUrl}/cluster`);
    if (!response.ok) return 0;
    const body = (await response.json()) as { leaderId?: string | null; members?: unknown[] };
    return body.leaderId ? (body.members?.length ?? 0) : 0;
  } catch {
    // Not listening yet: polled again until the deadline.
    return 0;
  }
}

/**
 * A durable three-node cluster of the built node apps in a temporary directory, started the
 * way `npm start` starts one (n1 bootstraps, n2 and n3 join it, with a shared cluster
 * secret), on free loopback ports.
 * stop() ends every process it started, by PID, and removes the directory.
 */
export class EmbeddedCluster {
  /** the nodes share a cluster secret, as under `npm start`, so peer messages are sealed */
  private readonly secret = randomBytes(32).toString('hex');

  private constructor(
    private readonly root: string,
    readonly nodes: EmbeddedNode[],
  ) {}

  static async start(size = 3): Promise<EmbeddedCluster> {
    const root = mkdtempSync(join(tmpdir(), 'latchkey-bench-'));
    const cluster = new EmbeddedCluster(root, []);
    try {
      let joinAddress = '';
      for (let i = 1; i <= size; i++) {
        const node = await cluster.startNode(`n${i}`, i === 1 ? 'leader' : 'follower', joinAddress);
        joinAddress ||= node.tcpAddress;
      }
      await cluster.waitForMembers(size);
      return cluster;
    } catch (err) {
      await cluster.stop();
      throw err;
    }
  }

  get tcpAddresses(): string[] {
    return this.nodes.map((n) => n.tcpAddress);
  }

  get pids(): number[] {
    return this.nodes.flatMap((n) => (n.child.pid === undefined ? [] : [n.child.pid]));
  }

  async stop(): Promise<void> {
    const running = this.nodes.filter((n) => n.child.exitCode === null && n.child.signalCode === null);
    const exited = running.map((n) => new Promise<void>((done) => n.child.once('exit', () => done())));
    for (const node of running) node.child.kill('SIGTERM');
    const grace = sleep(STOP_GRACE_MS).then(() => {
      for (const node of running) node.child.kill('SIGKILL');
    });
    await Promise.race([Promise.all(exited), grace]);
    await Promise.all(exited);
    rmSync(this.root, { recursive: true, force: true });
  }

  private async startNode(
    id: string,
    app: 'leader' | 'follower',
    joinAddress: string,
  ): Promise<EmbeddedNode> {
    const [port, httpPort] = [await freePort(), await freePort()];
    const args = ['--id', id, '--host', '127.0.0.1', '--port', String(port), '--http-port', String(httpPort)];
    args.push('--data-dir', join(this.root, id));
    if (app === 'follower') args.push('--join', joinAddress);
    const log = openSync(join(this.root, `${id}.log`), 'a');
    const main = resolve(__dirname, '..', app, 'main.js');
    const child = spawn(process.execPath, [main, ...args], {
      stdio: ['ignore', log, log],
      env: { ...process.env, LATCHKEY_CLUSTER_SECRET: this.secret },
    });
    closeSync(log);
    const node = { id, tcpAddress: `127.0.0.1:${port}`, httpUrl: `http://127.0.0.1:${httpPort}`, child };
    this.nodes.push(node);
    return node;
  }

  private async waitForMembers(size: number): Promise<void> {
    const deadline = performance.now() + START_DEADLINE_MS;
    while (performance.now() < deadline) {
      const dead = this.nodes.find((n) => n.child.exitCode !== null);
      if (dead) throw new Error(`node ${dead.id} exited during start-up; see ${this.root}/${dead.id}.log`);
      const counts = await Promise.all(this.nodes.map((n) => clusterMembers(n.httpUrl)));
      if (counts.every((count) => count >= size)) return;
      await sleep(POLL_MS);
    }
    throw new Error(`the cluster did not form within ${START_DEADLINE_MS} ms`);
  }
}
