import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort } from '../support/free-port';
import { waitFor } from '../support/wait-for';
import type { LoopbackLab } from './loopback-lab';
import type { NetworkLab } from './network-lab';
import { defined } from '../support/defined';

const ROOT = resolve(__dirname, '..', '..');

export interface FaultNode {
  index: number;
  id: string;
  app: 'leader' | 'follower';
  host: string;
  tcpPort: number;
  /** the port of its loopback fault proxy, which it advertises to peers; null with namespaces */
  proxyPort: number | null;
  httpPort: number;
  dataDir: string;
  logFile: string;
  process: ChildProcess | null;
  /** how many times this node was started; follower reads are monotonic per incarnation */
  incarnation: number;
  /** removed from the cluster: not restarted at the heal, not expected to converge */
  retired: boolean;
}

interface ClusterView {
  id: string;
  role: string;
  term: number;
  leaderId: string | null;
  commitIndex: number;
  appliedIndex: number;
  members: { id: string; role?: string; storageId?: string }[];
}

/**
 * Real node processes for fault scenarios: each in its own network namespace and address
 * when a NetworkLab is given, else on loopback with free ports. Every process is stopped by
 * its PID in `stop()`.
 */
export class FaultCluster {
  readonly nodes: FaultNode[] = [];
  /** every fault cluster authenticates its peer traffic, as a production cluster should */
  private readonly clusterSecret = randomBytes(32).toString('hex');

  constructor(
    readonly dir: string,
    private readonly env: Record<string, string>,
    private readonly lab: NetworkLab | null,
    private readonly proxies: LoopbackLab | null = null,
  ) {}

  async addNode(app: 'leader' | 'follower'): Promise<FaultNode> {
    const index = this.nodes.length + 1;
    const id = `n${index}`;
    const host = this.lab ? this.lab.address(index) : '127.0.0.1';
    const node: FaultNode = {
      index,
      id,
      app,
      host,
      tcpPort: this.lab ? 7000 : await freePort(),
      proxyPort: this.proxies ? await freePort() : null,
      httpPort: this.lab ? 7100 : await freePort(),
      dataDir: join(this.dir, id),
      logFile: join(this.dir, `${id}.log`),
      process: null,
      incarnation: 0,
      retired: false,
    };
    if (this.lab && index > this.lab.size) this.lab.addHost(index);
    if (this.proxies && node.proxyPort !== null)
      await this.proxies.addHost(index, node.proxyPort, node.tcpPort);
    mkdirSync(node.dataDir, { recursive: true });
    this.nodes.push(node);
    return node;
  }

  http(node: FaultNode): string {
    return `${node.host}:${node.httpPort}`;
  }

  /** the HTTP addresses of the members (retired nodes left out) */
  httpServers(): string[] {
    return this.nodes.filter((n) => !n.retired).map((n) => this.http(n));
  }

  /**
   * Starts a node (its same command line every time) and waits until it answers HTTP;
   * with `wait` false it returns at once (a nemesis restarting nodes under load).
   */
  async start(node: FaultNode, wait = true): Promise<void> {
    if (node.process) return;
    const args = ['--id', node.id, '--host', node.host, '--port', String(node.tcpPort)];
    args.push('--http-port', String(node.httpPort), '--data-dir', node.dataDir);
    const seed = defined(this.nodes[0], 'the first node');
    if (node.app === 'follower') args.push('--join', `${seed.host}:${seed.proxyPort ?? seed.tcpPort}`);
    if (node.proxyPort !== null) args.push('--advertise', `${node.host}:${node.proxyPort}`);
    const main = join(ROOT, 'dist', 'apps', node.app, 'main.js');
    const argv = [...(this.lab ? this.lab.execPrefix(node.index) : []), process.execPath, main, ...args];
    const log = openSync(node.logFile, 'a');
    const child = spawn(defined(argv[0], 'a program to start'), argv.slice(1), {
      cwd: ROOT,
      stdio: ['ignore', log, log],
      env: { ...process.env, NO_COLOR: '1', LATCHKEY_CLUSTER_SECRET: this.clusterSecret, ...this.env },
    });
    closeSync(log);
    node.process = child;
    node.incarnation++;
    child.on('exit', () => {
      if (node.process === child) node.process = null;
    });
    if (!wait) return;
    await waitFor(
      `${node.id} to serve HTTP`,
      async () => {
        if (node.process !== child) throw new Error(`${node.id} exited: ${this.tail(node, 10)}`);
        return (await this.view(node)) !== null;
      },
      // generous: on a loaded 2-core machine a Nest node can take tens of seconds to boot
      { timeoutMs: 90_000 },
    );
  }

  async kill(node: FaultNode, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = node.process;
    if (!child) return;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.kill('SIGCONT');
    child.kill(signal);
    await exited;
    node.process = null;
  }

  pause(node: FaultNode): void {
    node.process?.kill('SIGSTOP');
  }

  resume(node: FaultNode): void {
    node.process?.kill('SIGCONT');
  }

  running(): FaultNode[] {
    return this.nodes.filter((n) => n.process !== null);
  }

  async view(node: FaultNode, timeoutMs = 1500): Promise<ClusterView | null> {
    const res = await fetch(`http://${this.http(node)}/cluster`, {
      signal: AbortSignal.timeout(timeoutMs),
    }).catch(() => null);
    return res?.status === 200 ? ((await res.json()) as ClusterView) : null;
  }

  /** The node that every running node names as leader, once they agree (null if they never do in time). */
  async agreedLeader(timeoutMs = 20_000): Promise<FaultNode | null> {
    return waitFor(
      'one agreed leader',
      async () => {
        const views = await Promise.all(this.running().map((n) => this.view(n)));
        if (views.some((v) => v === null)) return undefined;
        const ids = new Set(views.map((v) => v?.leaderId));
        const [id] = ids;
        return ids.size === 1 && id ? this.nodes.find((n) => n.id === id) : undefined;
      },
      { timeoutMs },
    ).catch(() => null);
  }

  tail(node: FaultNode, lines = 40): string {
    return readFileSync(node.logFile, 'utf8').split('\n').slice(-lines).join('\n');
  }

  /** Stops every process (SIGCONT, SIGTERM, SIGKILL after 5 s), by PID. */
  async stop(): Promise<void> {
    await Promise.all(
      this.nodes.map(async (node) => {
        const child = node.process;
        if (!child) return;
        const exited = new Promise<void>((done) => child.once('exit', () => done()));
        child.kill('SIGCONT');
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
        node.process = null;
      }),
    );
  }
}
