import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import request from 'supertest';
import type { LocalCluster, NodeHandle } from './local-cluster';
import { waitFor } from './wait-for';
import { defined } from './defined';

const ROOT = resolve(__dirname, '..', '..');

export interface Grant {
  name: string;
  owner: string;
  fencingToken: number;
}

/** The `/cluster` view of one node. */
export async function clusterView(url: string): Promise<{
  id: string;
  role: string;
  leaderId: string | null;
  commitIndex: number;
  appliedIndex: number;
  term: number;
}> {
  const res = await request(url).get('/cluster').timeout(2000);
  if (res.status !== 200) throw new Error(`GET ${url}/cluster answered ${res.status}`);
  return res.body;
}

/** `GET /locks` of one node, as returned (sorted by name). */
export async function listLocks(url: string, prefix?: string): Promise<Grant[]> {
  const req = request(url).get('/locks').timeout(2000);
  const res = await (prefix === undefined ? req : req.query({ prefix }));
  if (res.status !== 200)
    throw new Error(`GET ${url}/locks answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A map name -> grant, for comparisons that ignore order. */
export function byName(grants: Grant[]): Record<string, Grant> {
  return Object.fromEntries(grants.map((g) => [g.name, g]));
}

/**
 * Waits until every running node lists the same locks and has applied the same index, which
 * is at least what the leader has committed. Returns the agreed list.
 */
export async function waitForSameState(cluster: LocalCluster, timeoutMs = 30_000): Promise<Grant[]> {
  return waitFor(
    'every running node to list the same locks at the same applied index',
    async () => {
      const nodes = cluster.running();
      const leader = await cluster.leader();
      const { commitIndex } = await clusterView(leader.url);
      const views = await Promise.all(nodes.map((n) => clusterView(n.url)));
      const lists = await Promise.all(nodes.map((n) => listLocks(n.url)));
      const appliedIndexes = new Set(views.map((v) => v.appliedIndex));
      const same = lists.every((l) => JSON.stringify(l) === JSON.stringify(lists[0]));
      if (appliedIndexes.size !== 1 || !same || defined(views[0], 'a view').appliedIndex < commitIndex) {
        // Thrown, not returned: waitFor reports the last error when it times out.
        const applied = views.map((v) => `${v.id}@${v.appliedIndex}`).join(' ');
        throw new Error(
          `applied ${applied}, leader commit ${commitIndex}, lock counts ${lists.map((l) => l.length).join(' ')}`,
        );
      }
      return lists[0];
    },
    { timeoutMs },
  );
}

/**
 * Preempts `name` for `clientId` through `url` and returns the grant. A 503 (no leader right
 * now, e.g. during an election) is retried with the same clientId, as its Retry-After asks:
 * a retry of a grant that did commit is answered with the same token. Any other answer fails.
 */
export async function grant(url: string, name: string, clientId: string, timeoutMs = 20_000): Promise<Grant> {
  const answer = await waitFor(
    `preempt ${name} through ${url} to be granted`,
    async () => {
      const res = await request(url).post(`/locks/${name}/preempt`).send({ clientId }).timeout(10_000);
      // Thrown, so waitFor retries it and reports the last one if it never clears.
      if (res.status === 503 && res.headers['retry-after'] !== undefined)
        throw new Error(`503: ${JSON.stringify(res.body)}`);
      return res;
    },
    { timeoutMs },
  );
  if (answer.status !== 200)
    throw new Error(
      `preempt ${name} through ${url} answered ${answer.status}: ${JSON.stringify(answer.body)}`,
    );
  return { name, owner: answer.body.owner, fencingToken: answer.body.fencingToken };
}

/**
 * Releases `name` as its owner `clientId` through `url`. A 503 is retried like in `grant`; a
 * retry answered "not_held" counts only when an earlier attempt's outcome was unknown (503).
 */
export async function release(
  url: string,
  name: string,
  clientId: string,
  timeoutMs = 20_000,
): Promise<void> {
  let unknownOutcome = false;
  const answer = await waitFor(
    `release ${name} through ${url}`,
    async () => {
      const res = await request(url).post(`/locks/${name}/release`).send({ clientId }).timeout(10_000);
      if (res.status === 503 && res.headers['retry-after'] !== undefined) {
        unknownOutcome = true;
        throw new Error(`503: ${JSON.stringify(res.body)}`);
      }
      return res;
    },
    { timeoutMs },
  );
  if (answer.status === 200 || (unknownOutcome && answer.status === 409 && answer.body.reason === 'not_held'))
    return;
  throw new Error(`release ${name} through ${url} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
}

/** The exact command line LocalCluster uses for a node (kept in step with local-cluster.ts). */
export function nodeCommand(cluster: LocalCluster, node: NodeHandle): string[] {
  const args = [
    '--id',
    node.id,
    '--host',
    '127.0.0.1',
    '--port',
    String(node.port),
    '--http-port',
    String(node.httpPort),
    '--data-dir',
    node.dataDir,
  ];
  if (node.app === 'follower') args.push('--join', defined(cluster.nodes[0], 'a first node').tcpAddress);
  return [join(ROOT, 'dist', 'apps', node.app, 'main.js'), ...args];
}

export interface ExitedRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/**
 * Starts a node with its usual command line, captures stdout and stderr, and resolves when
 * the process exits by itself. If it is still running after `timeoutMs` it is killed (by its
 * PID) and the promise rejects: the caller expected it to refuse to start.
 */
export function runNodeUntilExit(
  cluster: LocalCluster,
  id: string,
  env: Record<string, string> = {},
  timeoutMs = 20_000,
): Promise<ExitedRun> {
  const node = cluster.node(id);
  const child = spawn(process.execPath, nodeCommand(cluster, node), {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    // The cluster's own environment first (its secret), as for every node it starts.
    env: { ...process.env, NO_COLOR: '1', ...cluster.environment, ...env },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return new Promise((resolveRun, rejectRun) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rejectRun(new Error(`${id} was still running after ${timeoutMs} ms; output:\n${output}`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      rejectRun(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolveRun({ code, signal, output });
    });
  });
}
