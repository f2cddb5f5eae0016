import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, closeSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import request from 'supertest';
import { freePort } from './free-port';
import { waitFor } from './wait-for';
import { defined } from './defined';

const ROOT = resolve(__dirname, '..', '..');

export interface NodeHandle {
  id: string;
  app: 'leader' | 'follower';
  port: number;
  httpPort: number;
  dataDir: string;
  logFile: string;
  /** base URL of the HTTP gateway, for supertest */
  url: string;
  tcpAddress: string;
  process: ChildProcess | null;
}

export interface ClusterOptions {
  /** how many nodes; the first is the leader app, the rest followers */
  size?: number;
  /** start only the first `startCount` nodes (the rest can be started later) */
  startCount?: number;
  /**
   * extra environment for every node, e.g. faster election timeouts. Every cluster gets a
   * fresh cluster secret (authenticated peers); `LATCHKEY_CLUSTER_SECRET: ''` runs it without.
   */
  env?: Record<string, string>;
}

/**
 * A real cluster of OS processes on free loopback ports, with data in a temp dir.
 * Every process it starts it stops, by PID, in `stop()`.
 */
export class LocalCluster {
  readonly nodes: NodeHandle[] = [];
  private readonly root: string;
  private readonly env: Record<string, string>;

  /** a fresh cluster secret per cluster; the test's env may replace it ('' runs without one) */
  private readonly secret = randomBytes(24).toString('hex');

  /**
   * What every node of this cluster runs with: its secret, then the test's env (read at each
   * start, so a test may add to it once the ports are known).
   */
  get environment(): Readonly<Record<string, string>> {
    return { LATCHKEY_CLUSTER_SECRET: this.secret, ...this.env };
  }

  private constructor(root: string, env: Record<string, string>) {
    this.root = root;
    this.env = env;
  }

  static async start(options: ClusterOptions = {}): Promise<LocalCluster> {
    const size = options.size ?? 3;
    const cluster = new LocalCluster(mkdtempSync(join(tmpdir(), 'latchkey-e2e-')), options.env ?? {});
    for (let i = 1; i <= size; i++) {
      const port = await freePort();
      const httpPort = await freePort();
      const id = `n${i}`;
      cluster.nodes.push({
        id,
        app: i === 1 ? 'leader' : 'follower',
        port,
        httpPort,
        dataDir: join(cluster.root, id),
        logFile: join(cluster.root, `${id}.log`),
        url: `http://127.0.0.1:${httpPort}`,
        tcpAddress: `127.0.0.1:${port}`,
        process: null,
      });
    }
    const startCount = options.startCount ?? size;
    for (const node of cluster.nodes.slice(0, startCount)) await cluster.startNode(node.id);
    await cluster.waitForMembers(startCount);
    return cluster;
  }

  node(id: string): NodeHandle {
    const found = this.nodes.find((n) => n.id === id);
    if (!found) throw new Error(`no node ${id}`);
    return found;
  }

  /** Starts (or restarts) a node with the same command line as before, and waits until it serves HTTP. */
  async startNode(id: string, extraEnv: Record<string, string> = {}): Promise<NodeHandle> {
    const node = this.node(id);
    if (node.process) throw new Error(`${id} is already running`);
    const args = [
      '--id',
      id,
      '--host',
      '127.0.0.1',
      '--port',
      String(node.port),
      '--http-port',
      String(node.httpPort),
      '--data-dir',
      node.dataDir,
    ];
    if (node.app === 'follower') args.push('--join', defined(this.nodes[0], 'a first node').tcpAddress);
    const log = openSync(node.logFile, 'a');
    node.process = spawn(process.execPath, [join(ROOT, 'dist', 'apps', node.app, 'main.js'), ...args], {
      cwd: ROOT,
      stdio: ['ignore', log, log],
      env: { ...process.env, NO_COLOR: '1', ...this.environment, ...extraEnv },
    });
    closeSync(log);
    const child = node.process;
    child.on('exit', () => {
      if (node.process === child) node.process = null;
    });
    // Generous: on a loaded machine loading and wiring a node takes many seconds.
    await waitFor(
      `${id} to serve HTTP`,
      async () => {
        if (!node.process) throw new Error(`${id} exited: ${this.tail(id)}`);
        const res = await request(node.url).get('/cluster').timeout(2000);
        return res.status === 200;
      },
      { timeoutMs: 60_000 },
    );
    return node;
  }

  /** Sends `signal` to the node's PID and waits until the process is gone. */
  async kill(id: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const node = this.node(id);
    const child = node.process;
    if (!child) return;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.kill(signal);
    await exited;
    node.process = null;
  }

  pause(id: string): void {
    this.node(id).process?.kill('SIGSTOP');
  }

  resume(id: string): void {
    this.node(id).process?.kill('SIGCONT');
  }

  async restart(id: string): Promise<NodeHandle> {
    await this.kill(id, 'SIGKILL');
    return this.startNode(id);
  }

  running(): NodeHandle[] {
    return this.nodes.filter((n) => n.process !== null);
  }

  /** The node every running node agrees leads, once they agree. */
  async leader(timeoutMs = 20_000): Promise<NodeHandle> {
    return waitFor(
      'one agreed leader',
      async () => {
        const views = await Promise.all(
          this.running().map(async (n) => (await request(n.url).get('/cluster').timeout(2000)).body),
        );
        const leaderIds = new Set(views.map((v) => v.leaderId));
        const [leaderId] = leaderIds;
        return leaderIds.size === 1 && leaderId ? this.node(leaderId) : undefined;
      },
      { timeoutMs },
    );
  }

  /** Waits until the leader lists `count` members, all of them voters (joined learners promoted). */
  async waitForMembers(count: number): Promise<void> {
    await waitFor(`${count} voting members`, async () => {
      const leader = await this.leader();
      const status = (await request(leader.url).get('/cluster').timeout(2000)).body as {
        members: { role: string }[];
      };
      const { members } = status;
      return members.length === count && members.every((m) => m.role !== 'learner');
    });
  }

  /** Waits until every running node has applied at least what the leader has committed now. */
  async waitForConvergence(): Promise<void> {
    const leader = await this.leader();
    const { commitIndex } = (await request(leader.url).get('/cluster')).body;
    for (const node of this.running()) {
      await waitFor(
        `${node.id} to apply ${commitIndex}`,
        async () => (await request(node.url).get('/cluster').timeout(2000)).body.appliedIndex >= commitIndex,
      );
    }
  }

  tail(id: string, lines = 30): string {
    const text = readFileSync(this.node(id).logFile, 'utf8');
    return text.split('\n').slice(-lines).join('\n');
  }

  /** Stops every process this cluster started (SIGTERM, then SIGKILL) and deletes its data. */
  async stop(): Promise<void> {
    await Promise.all(
      this.nodes.map(async (node) => {
        const child = node.process;
        if (!child) return;
        child.kill('SIGCONT');
        const exited = new Promise<void>((done) => child.once('exit', () => done()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
        node.process = null;
      }),
    );
    rmSync(this.root, { recursive: true, force: true });
  }
}
