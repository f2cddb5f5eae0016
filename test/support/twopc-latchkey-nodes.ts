import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './free-port';
import { waitFor } from './wait-for';

const ROOT = resolve(__dirname, '..', '..');
/** Generous: on a busy machine a node can take long to start, and failing here only wastes the run. */
const START_TIMEOUT_MS = 90_000;

interface ClusterView {
  leaderId: string | null;
  members: unknown[];
}

/**
 * A three-node Latchkey cluster for the twopc suite: real processes on free loopback
 * ports, data in a temporary directory. Unlike a failed start that leaves nodes behind,
 * `start` stops whatever it started when the cluster does not come up in time.
 */
export class LatchkeyNodes {
  readonly tcpAddresses: string[] = [];
  private readonly root = mkdtempSync(join(tmpdir(), 'latchkey-twopc-nodes-'));
  private readonly children: ChildProcess[] = [];

  static async start(): Promise<LatchkeyNodes> {
    const nodes = new LatchkeyNodes();
    try {
      await nodes.launch();
    } catch (err: unknown) {
      await nodes.stop();
      throw err;
    }
    return nodes;
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((done) => child.once('exit', () => done()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }),
    );
    rmSync(this.root, { recursive: true, force: true });
  }

  private async launch(): Promise<void> {
    const httpUrls: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const [port, httpPort] = [await freePort(), await freePort()];
      const args = ['--id', `n${i}`, '--host', '127.0.0.1', '--port', String(port)];
      args.push('--http-port', String(httpPort), '--data-dir', join(this.root, `n${i}`));
      const first = this.tcpAddresses[0];
      if (i > 1 && first !== undefined) args.push('--join', first);
      const log = openSync(join(this.root, `n${i}.log`), 'a');
      const app = join(ROOT, 'dist', 'apps', i === 1 ? 'leader' : 'follower', 'main.js');
      this.children.push(spawn(process.execPath, [app, ...args], { stdio: ['ignore', log, log] }));
      closeSync(log);
      this.tcpAddresses.push(`127.0.0.1:${port}`);
      httpUrls.push(`http://127.0.0.1:${httpPort}`);
    }
    await waitFor(
      'a 3-node Latchkey cluster with a leader',
      async () => {
        const response = await fetch(`${httpUrls[0]}/cluster`, { signal: AbortSignal.timeout(2000) });
        const view = (await response.json()) as ClusterView;
        return view.leaderId !== null && view.members.length === 3;
      },
      { timeoutMs: START_TIMEOUT_MS, intervalMs: 200 },
    );
  }
}
