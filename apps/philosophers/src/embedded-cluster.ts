import { LockClient } from '@app/lock-client';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './free-port';
import { elementAt } from './element-at';

const SIZE = 3;
const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5000;

export interface EmbeddedNode {
  id: string;
  app: 'leader' | 'follower';
  tcpAddress: string;
  logFile: string;
  process: ChildProcess | null;
}

/**
 * A three-node cluster of the built node apps (dist/apps/leader, dist/apps/follower), on
 * free loopback ports with its data in a temporary directory. `stop()` ends every node it
 * started, by PID, and deletes the directory.
 */
export class EmbeddedCluster {
  readonly nodes: EmbeddedNode[] = [];

  private constructor(
    private readonly root: string,
    private readonly dir: string,
  ) {}

  /** `root` is the project folder holding dist/apps. */
  static async start(root: string): Promise<EmbeddedCluster> {
    for (const app of ['leader', 'follower']) {
      if (!existsSync(appScript(root, app)))
        throw new Error(`${appScript(root, app)} is missing: run "npm run build" first`);
    }
    const cluster = new EmbeddedCluster(root, mkdtempSync(join(tmpdir(), 'latchkey-philosophers-')));
    try {
      await cluster.spawnAll();
      await cluster.waitUntilReady();
    } catch (err: unknown) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  get addresses(): string[] {
    return this.nodes.map((n) => n.tcpAddress);
  }

  get pids(): number[] {
    return this.nodes.flatMap((n) => (n.process?.pid === undefined ? [] : [n.process.pid]));
  }

  /** kill -9 of the node with this id; resolves when the process is gone. */
  async kill(id: string): Promise<void> {
    const node = this.nodes.find((n) => n.id === id);
    const child = node?.process;
    if (!node || !child) return;
    const gone = new Promise<void>((done) => child.once('exit', () => done()));
    child.kill('SIGKILL');
    await gone;
  }

  /** The id of the node the running nodes name as leader, or null when none answers. */
  async leaderId(): Promise<string | null> {
    const client = new LockClient({ nodes: this.addresses, clientId: randomUUID(), requestTimeoutMs: 2000 });
    try {
      return (await client.clusterStatus()).leaderId;
    } catch {
      return null;
    } finally {
      await client.close();
    }
  }

  /** SIGTERM to every node still running, SIGKILL after a grace period; then deletes the data. */
  async stop(): Promise<void> {
    await Promise.all(
      this.nodes.map(async (node) => {
        const child = node.process;
        if (!child) return;
        const gone = new Promise<void>((done) => child.once('exit', () => done()));
        child.kill('SIGCONT');
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await gone;
        clearTimeout(timer);
      }),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Synchronous last resort for an exiting process: SIGKILL every node still running. */
  killAllNow(): void {
    for (const node of this.nodes) node.process?.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async spawnAll(): Promise<void> {
    const ports = new Set<number>();
    const draw = async () => {
      const port = await freePort(ports);
      ports.add(port);
      return port;
    };
    const layout: { id: string; app: 'leader' | 'follower'; port: number; httpPort: number }[] = [];
    for (let i = 1; i <= SIZE; i++) {
      layout.push({
        id: `n${i}`,
        app: i === 1 ? 'leader' : 'follower',
        port: await draw(),
        httpPort: await draw(),
      });
    }
    const join0 = `127.0.0.1:${elementAt(layout, 0, 'node').port}`;
    // The nodes share a cluster secret, as under `npm start`, so their peer messages are sealed.
    const secretFile = join(this.dir, 'cluster-secret');
    writeFileSync(secretFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
    for (const node of layout) {
      const args = ['--id', node.id, '--host', '127.0.0.1', '--port', String(node.port)];
      args.push('--http-port', String(node.httpPort), '--data-dir', join(this.dir, node.id));
      args.push('--cluster-secret-file', secretFile);
      if (node.app === 'follower') args.push('--join', join0);
      this.spawnNode(node.id, node.app, `127.0.0.1:${node.port}`, args);
    }
  }

  private spawnNode(id: string, app: 'leader' | 'follower', tcpAddress: string, args: string[]): void {
    const logFile = join(this.dir, `${id}.log`);
    const log = openSync(logFile, 'a');
    const child = spawn(process.execPath, [appScript(this.root, app), ...args], {
      cwd: this.dir,
      stdio: ['ignore', log, log],
      env: { ...process.env, NO_COLOR: '1' },
    });
    closeSync(log);
    const node: EmbeddedNode = { id, app, tcpAddress, logFile, process: child };
    child.once('exit', () => (node.process = null));
    this.nodes.push(node);
  }

  /** Every node answers and the leader lists all three members. */
  private async waitUntilReady(): Promise<void> {
    const deadline = performance.now() + READY_TIMEOUT_MS;
    for (const node of this.nodes) {
      const client = new LockClient({
        nodes: [node.tcpAddress],
        clientId: randomUUID(),
        requestTimeoutMs: 2000,
      });
      try {
        for (;;) {
          if (node.process === null) throw new Error(`node ${node.id} exited: ${this.tail(node)}`);
          const status = await client.clusterStatus().catch(() => null);
          if (status?.leaderId && status.members.length === SIZE) break;
          if (performance.now() > deadline)
            throw new Error(`the embedded cluster did not come up in time: ${this.tail(node)}`);
          await sleep(100);
        }
      } finally {
        await client.close();
      }
    }
  }

  private tail(node: EmbeddedNode): string {
    const text = existsSync(node.logFile) ? readFileSync(node.logFile, 'utf8') : '';
    return text.split('\n').slice(-10).join('\n');
  }
}

function appScript(root: string, app: string): string {
  return join(root, 'dist', 'apps', app, 'main.js');
}
