import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { LauncherOptions } from '../cli/launcher-options';
import { freePort } from './free-port';
import { httpJson, waitUntil } from './http-json';
import { ProcessGroup, type Member } from './process-group';

const LATCHKEY_NODES = 3;
const READY_TIMEOUT_MS = 90_000;

export interface StackLayout {
  root: string;
  servers: string[];
  latchkeyHttp: string[];
  replicas: { id: string; address: string }[];
  coordinators: { id: string; url: string }[];
}

interface ClusterView {
  leaderId: string | null;
  members: unknown[];
}

/**
 * Everything the service and the demo run: a Latchkey cluster (unless --servers names one),
 * the replicas and the coordinators, each its own OS process started from the built bundles.
 */
export class TwoPcStack {
  private constructor(
    readonly layout: StackLayout,
    private readonly group: ProcessGroup,
    private readonly ownRoot: boolean,
    private readonly keepData: boolean,
  ) {}

  /** Lays out the directories; `launch()` starts the processes. Stop it (by signal too) from here on. */
  static create(options: LauncherOptions, onExit: (member: Member, how: string) => void): TwoPcStack {
    const ownRoot = options.dataDir === null;
    const root =
      options.dataDir === null ? mkdtempSync(join(tmpdir(), 'latchkey-twopc-')) : resolve(options.dataDir);
    mkdirSync(join(root, 'logs'), { recursive: true });
    const group = new ProcessGroup(join(root, 'logs'), onExit);
    const layout: StackLayout = {
      root,
      servers: [...options.servers],
      latchkeyHttp: [],
      replicas: [],
      coordinators: [],
    };
    return new TwoPcStack(layout, group, ownRoot, options.keepData);
  }

  async launch(options: LauncherOptions): Promise<void> {
    if (this.layout.servers.length === 0) await this.startLatchkey(options.host);
    await this.startReplicas(options);
    await this.startCoordinators(options);
  }

  get activeUrl(): string {
    const active = this.layout.coordinators[0];
    if (active === undefined) throw new Error('no coordinator was started');
    return active.url;
  }

  logFile(name: string): string {
    return this.group.get(name).logFile;
  }

  async stop(): Promise<void> {
    await this.group.stopAll();
    if (this.ownRoot && !this.keepData) rmSync(this.layout.root, { recursive: true, force: true });
  }

  private async startLatchkey(host: string): Promise<void> {
    // The nodes share a cluster secret, as under `npm start`, so their peer messages are sealed.
    const secretFile = join(this.layout.root, 'latchkey', 'cluster-secret');
    mkdirSync(dirname(secretFile), { recursive: true });
    writeFileSync(secretFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
    const nodes = [];
    for (let i = 1; i <= LATCHKEY_NODES; i++)
      nodes.push({ id: `n${i}`, port: await freePort(host), httpPort: await freePort(host) });
    for (const [i, node] of nodes.entries()) {
      const app = i === 0 ? 'leader' : 'follower';
      const args = [
        '--id',
        node.id,
        '--host',
        host,
        '--port',
        String(node.port),
        '--http-port',
        String(node.httpPort),
      ];
      args.push(
        '--data-dir',
        join(this.layout.root, 'latchkey', node.id),
        '--cluster-secret-file',
        secretFile,
      );
      const first = nodes[0];
      if (i > 0 && first !== undefined) args.push('--join', `${host}:${first.port}`);
      this.group.start(`latchkey-${node.id}`, builtApp(app), args);
      this.layout.servers.push(`${host}:${node.port}`);
      this.layout.latchkeyHttp.push(`http://${host}:${node.httpPort}`);
    }
    await waitUntil(
      `a ${LATCHKEY_NODES}-node Latchkey cluster with a leader`,
      async () => {
        const answer = await httpJson<ClusterView>(
          'GET',
          `${this.layout.latchkeyHttp[0]}/cluster`,
          undefined,
          2000,
        );
        if (!answer.ok || answer.status !== 200) return null;
        return answer.body.leaderId !== null && answer.body.members.length === LATCHKEY_NODES ? true : null;
      },
      READY_TIMEOUT_MS,
    );
  }

  private async startReplicas(options: LauncherOptions): Promise<void> {
    for (let i = 1; i <= options.replicas; i++) {
      this.layout.replicas.push({ id: `r${i}`, address: `${options.host}:${await freePort(options.host)}` });
    }
    for (let i = 0; i <= options.standbys; i++) {
      this.layout.coordinators.push({
        id: `c${i + 1}`,
        url: `http://${options.host}:${options.httpPort + i}`,
      });
    }
    for (const replica of this.layout.replicas) {
      const peers = this.layout.replicas.filter((other) => other !== replica);
      this.group.start(replica.id, selfScript(), [
        '--role',
        'replica',
        '--id',
        replica.id,
        '--host',
        options.host,
        '--port',
        replica.address.split(':').pop() ?? '',
        '--data-dir',
        join(this.layout.root, replica.id),
        '--servers',
        this.layout.servers.join(','),
        '--peers',
        peers.map((peer) => `${peer.id}=${peer.address}`).join(','),
        '--coordinators',
        this.layout.coordinators.map((coordinator) => coordinator.url).join(','),
        '--abort-probability',
        String(options.abortProbability),
        '--decision-timeout-ms',
        String(options.decisionTimeoutMs),
        '--session-ttl-ms',
        String(options.sessionTtlMs),
      ]);
    }
  }

  /** The first coordinator starts alone, so that it is the active one; the others queue behind it. */
  private async startCoordinators(options: LauncherOptions): Promise<void> {
    for (const [i, coordinator] of this.layout.coordinators.entries()) {
      this.group.start(coordinator.id, selfScript(), [
        '--role',
        'coordinator',
        '--id',
        coordinator.id,
        '--host',
        options.host,
        '--http-port',
        new URL(coordinator.url).port,
        '--servers',
        this.layout.servers.join(','),
        '--replica-addresses',
        this.layout.replicas.map((replica) => `${replica.id}=${replica.address}`).join(','),
        '--log-dir',
        join(this.layout.root, 'coordinators'),
        '--vote-timeout-ms',
        String(options.voteTimeoutMs),
        '--session-ttl-ms',
        String(options.sessionTtlMs),
        // All queue for the lock, so that a restarted one waits behind whoever took over.
        '--standby',
      ]);
      if (i === 0) await this.waitForActive(coordinator.url);
    }
    for (const standby of this.layout.coordinators.slice(1)) await this.waitForHttp(standby.url);
  }

  private async waitForHttp(url: string): Promise<void> {
    await waitUntil(
      `the standby coordinator at ${url} to serve HTTP`,
      async () => ((await httpJson('GET', `${url}/coordinator`, undefined, 2000)).ok ? true : null),
      READY_TIMEOUT_MS,
    );
  }

  private async waitForActive(url: string): Promise<void> {
    await waitUntil(
      `the coordinator at ${url} to be active with every replica connected`,
      async () => {
        const answer = await httpJson<{ active: boolean; disconnected: string[] }>(
          'GET',
          `${url}/coordinator`,
          undefined,
          2000,
        );
        return answer.ok &&
          answer.status === 200 &&
          answer.body.active &&
          answer.body.disconnected.length === 0
          ? true
          : null;
      },
      READY_TIMEOUT_MS,
    );
  }
}

/** This bundle: every role runs from it. */
export function selfScript(): string {
  const script = process.argv[1];
  if (script === undefined) throw new Error('cannot tell which script is running (no argv[1])');
  return resolve(script);
}

function builtApp(app: 'leader' | 'follower'): string {
  const script = resolve(dirname(selfScript()), '..', app, 'main.js');
  if (!existsSync(script))
    throw new Error(`${script} is missing: build the Latchkey apps first (npm run build)`);
  return script;
}
