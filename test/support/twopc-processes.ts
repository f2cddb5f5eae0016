import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './free-port';
import { waitFor } from './wait-for';

const ROOT = resolve(__dirname, '..', '..');
const BUNDLE = join(ROOT, 'dist', 'apps', 'twopc', 'main.js');

export interface TwoPcProcess {
  name: string;
  args: string[];
  logFile: string;
  process: ChildProcess | null;
}

export interface TwoPcOptions {
  servers: string[];
  replicas?: number;
  coordinators?: number;
  abortProbability?: number;
  sessionTtlMs?: number;
  voteTimeoutMs?: number;
  decisionTimeoutMs?: number;
}

export interface HttpResult<T> {
  status: number;
  body: T;
}

export interface CoordinatorStatus {
  id: string;
  active: boolean;
  fencingToken: number | null;
  disconnected: string[];
}

export interface ReplicaView {
  id: string;
  value: string | null;
  version: number;
  state: 'idle' | 'prepared' | 'down';
  connected: boolean;
  preparedTxId: string | null;
  highestToken: number;
  refusedCount: number;
}

export interface TransactionView {
  txId: string;
  value: string | null;
  version: number | null;
  votes: Record<string, 'yes' | 'no' | 'timeout'>;
  decision: 'commit' | 'abort' | null;
  reason: string | null;
  decidedUnderToken: number | null;
  complete: boolean;
}

export interface WriteAnswer {
  committed?: boolean;
  txId?: string;
  version?: number;
  reason?: string;
  votes?: Record<string, 'yes' | 'no' | 'timeout'>;
  message?: string;
}

/**
 * Replicas and coordinators of the two-phase-commit register as real OS processes, with
 * their data in a temporary directory; every one is stopped by its PID in `stop()`.
 * `start(name, env)` may arm a test hook (TWOPC_PAUSE_AT) for that process only.
 */
export class TwoPcProcesses {
  readonly root = mkdtempSync(join(tmpdir(), 'latchkey-twopc-e2e-'));
  readonly members = new Map<string, TwoPcProcess>();
  readonly coordinatorUrls = new Map<string, string>();

  private constructor() {}

  static async create(options: TwoPcOptions): Promise<TwoPcProcesses> {
    if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: npm run build first`);
    const group = new TwoPcProcesses();
    const replicaCount = options.replicas ?? 3;
    const replicas: { id: string; address: string }[] = [];
    for (let i = 1; i <= replicaCount; i++)
      replicas.push({ id: `r${i}`, address: `127.0.0.1:${await freePort()}` });
    for (let i = 1; i <= (options.coordinators ?? 2); i++) {
      group.coordinatorUrls.set(`c${i}`, `http://127.0.0.1:${await freePort()}`);
    }
    const common = [
      '--servers',
      options.servers.join(','),
      '--session-ttl-ms',
      String(options.sessionTtlMs ?? 3000),
    ];
    for (const replica of replicas) {
      const peers = replicas.filter((other) => other !== replica).map((peer) => `${peer.id}=${peer.address}`);
      group.define(replica.id, [
        '--role',
        'replica',
        '--id',
        replica.id,
        '--port',
        replica.address.slice(replica.address.lastIndexOf(':') + 1),
        '--data-dir',
        join(group.root, replica.id),
        '--peers',
        peers.join(','),
        '--coordinators',
        [...group.coordinatorUrls.values()].join(','),
        '--abort-probability',
        String(options.abortProbability ?? 0),
        '--decision-timeout-ms',
        String(options.decisionTimeoutMs ?? 1000),
        ...common,
      ]);
    }
    for (const [id, url] of group.coordinatorUrls) {
      group.define(id, [
        '--role',
        'coordinator',
        '--id',
        id,
        '--http-port',
        new URL(url).port,
        '--standby',
        '--replica-addresses',
        replicas.map((r) => `${r.id}=${r.address}`).join(','),
        '--log-dir',
        join(group.root, 'coordinators'),
        '--vote-timeout-ms',
        String(options.voteTimeoutMs ?? 3000),
        ...common,
      ]);
    }
    return group;
  }

  get replicaIds(): string[] {
    return [...this.members.keys()].filter((name) => name.startsWith('r'));
  }

  url(coordinator: string): string {
    const url = this.coordinatorUrls.get(coordinator);
    if (url === undefined) throw new Error(`no coordinator ${coordinator}`);
    return url;
  }

  start(name: string, env: Record<string, string> = {}): void {
    const member = this.member(name);
    if (member.process !== null) throw new Error(`${name} is already running`);
    const log = openSync(member.logFile, 'a');
    const child = spawn(process.execPath, [BUNDLE, ...member.args], {
      cwd: ROOT,
      stdio: ['ignore', log, log],
      env: { ...process.env, NO_COLOR: '1', TWOPC_PAUSE_AT: '', ...env },
    });
    closeSync(log);
    member.process = child;
    child.on('exit', () => {
      if (member.process === child) member.process = null;
    });
  }

  /** Starts every replica, then the coordinators in order (the first becomes the active one). */
  async startAll(env: Record<string, Record<string, string>> = {}): Promise<void> {
    for (const id of this.replicaIds) this.start(id, env[id]);
    const [first, ...standbys] = this.coordinatorUrls.keys();
    if (first === undefined) throw new Error('no coordinators defined');
    this.start(first, env[first]);
    await this.waitForActive(first);
    for (const id of standbys) this.start(id, env[id]);
    for (const id of standbys) {
      await waitFor(`${id} to serve HTTP as a standby`, async () => {
        this.assertRunning(id);
        return (
          (await this.http<CoordinatorStatus>('GET', id, '/coordinator', undefined, 2000)).status === 200
        );
      });
    }
  }

  /** Until `coordinator` is active, has recovered, and sees every replica's membership lock held. */
  async waitForActive(coordinator: string, timeoutMs = 60_000): Promise<CoordinatorStatus> {
    return waitFor(
      `${coordinator} to be the active coordinator with every replica connected`,
      async () => {
        this.assertRunning(coordinator);
        for (const id of this.replicaIds) {
          if (this.member(id).process !== null && !this.log(id).includes(`holds twopc-replica-${id}`))
            return false;
        }
        const status = await this.http<CoordinatorStatus>('GET', coordinator, '/coordinator');
        return status.body.active && status.body.disconnected.length === 0 ? status.body : false;
      },
      { timeoutMs, intervalMs: 100 },
    );
  }

  /** Waits until `name` reports that it paused at `point`; answers the transaction id it named. */
  async waitForHook(name: string, point: string, timeoutMs = 30_000): Promise<string> {
    return waitFor(
      `${name} to pause at ${point}`,
      () => {
        const match = new RegExp(`twopc-hook: paused at ${point} (\\S+)`).exec(this.log(name));
        return match?.[1];
      },
      { timeoutMs, intervalMs: 50 },
    );
  }

  async http<T>(
    method: string,
    coordinator: string,
    path: string,
    body?: unknown,
    timeoutMs = 60_000,
  ): Promise<HttpResult<T>> {
    const response = await fetch(`${this.url(coordinator)}${path}`, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: response.status, body: (await response.json().catch(() => null)) as T };
  }

  async kill(name: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.member(name).process;
    if (child === null) return;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.kill(signal);
    await exited;
  }

  signal(name: string, signal: NodeJS.Signals): void {
    this.member(name).process?.kill(signal);
  }

  async replicas(coordinator: string): Promise<ReplicaView[]> {
    const answer = await this.http<ReplicaView[]>('GET', coordinator, '/replicas');
    if (answer.status !== 200) throw new Error(`GET /replicas answered ${answer.status}`);
    return answer.body;
  }

  log(name: string): string {
    const file = this.member(name).logFile;
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }

  tail(name: string, lines = 25): string {
    return this.log(name).split('\n').slice(-lines).join('\n');
  }

  /** SIGCONT then SIGTERM to every process still running (SIGKILL after 5 s); deletes the data. */
  async stop(): Promise<void> {
    await Promise.all(
      [...this.members.values()].map(async (member) => {
        const child = member.process;
        if (child === null) return;
        const exited = new Promise<void>((done) => child.once('exit', () => done()));
        child.kill('SIGCONT');
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }),
    );
    rmSync(this.root, { recursive: true, force: true });
  }

  private define(name: string, args: string[]): void {
    this.members.set(name, { name, args, logFile: join(this.root, `${name}.log`), process: null });
  }

  private member(name: string): TwoPcProcess {
    const member = this.members.get(name);
    if (member === undefined) throw new Error(`no process ${name}`);
    return member;
  }

  private assertRunning(name: string): void {
    if (this.member(name).process === null) throw new Error(`${name} exited: ${this.tail(name)}`);
  }
}
