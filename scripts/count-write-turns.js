#!/usr/bin/env node
// Counts the event-loop turns one write costs on each node: a 3-node cluster runs with
// scripts/count-loop-turns.js preloaded, one client does W1 (preempt, release) alone, first
// against the leader, then against a follower (which forwards to the leader), and the turns
// each node took are divided by the writes. An idle window of the same length is measured
// first and subtracted (heartbeats and ticks). Prints a table; `--json` prints JSON.
//
//   node scripts/count-write-turns.js [--seconds 5] [--json]
//
// Counting, not timing: async hooks slow the nodes down, so the speed of these runs means
// nothing; the number of turns per write is what it measures.
const { spawn, execFileSync } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
require('./ensure-built.js');

const args = process.argv.slice(2);
const secondsAt = args.indexOf('--seconds');
const seconds = secondsAt >= 0 ? Number(args[secondsAt + 1]) : 5;
if (!(seconds > 0)) throw new Error('--seconds must be a positive number');
const asJson = args.includes('--json');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-turns-'));
const prefix = path.join(dir, 'turns');
const host = '127.0.0.1';
const NODES = [
  { id: 'n1', app: 'leader', port: 7401, httpPort: 7501 },
  { id: 'n2', app: 'follower', port: 7402, httpPort: 7502 },
  { id: 'n3', app: 'follower', port: 7403, httpPort: 7503 },
];
const env = {
  ...process.env,
  LATCHKEY_TURN_COUNTS: prefix,
  LATCHKEY_CLUSTER_SECRET: randomBytes(32).toString('hex'),
};

function startNode(node) {
  const nodeArgs = ['--id', node.id, '--host', host, '--port', String(node.port)];
  nodeArgs.push('--http-port', String(node.httpPort), '--data-dir', path.join(dir, node.id));
  if (node.app === 'follower') nodeArgs.push('--join', `${host}:${NODES[0].port}`);
  const main = path.join(root, 'dist', 'apps', node.app, 'main.js');
  const preload = path.join(__dirname, 'count-loop-turns.js');
  const log = fs.openSync(path.join(dir, `${node.id}.log`), 'w');
  node.child = spawn(process.execPath, ['-r', preload, main, ...nodeArgs], {
    env,
    stdio: ['ignore', log, log],
  });
}

async function until(what, check, deadlineMs = 30_000) {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function followerCount() {
  const answer = await fetch(`http://${host}:${NODES[0].httpPort}/cluster`).catch(() => null);
  if (answer === null || !answer.ok) return 0;
  return ((await answer.text()).match(/"role":"follower"/g) ?? []).length;
}

/** Each node's counts, as written after now (each node writes them every 100 ms). */
async function snapshot() {
  const since = Date.now();
  const counts = {};
  let atMs = 0;
  for (const node of NODES) {
    const file = `${prefix}.${node.child.pid}.json`;
    let written = null;
    await until(`${node.id}'s counts`, () => {
      written = fs.existsSync(file) ? readCounts(file) : null;
      return written !== null && written.atMs > since;
    });
    counts[node.id] = written.counts;
    atMs = Math.max(atMs, written.atMs);
  }
  return { atMs, counts };
}

/** The file as last written; null while a write is under way. */
function readCounts(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

function runBench(server) {
  const bench = path.join(root, 'dist', 'apps', 'bench', 'main.js');
  const benchArgs = ['--servers', server, '--workload', 'w1', '--clients', '1', '--connections', '1'];
  benchArgs.push('--seconds', String(seconds), '--warmup', '0', '--json');
  const out = execFileSync(process.execPath, [bench, ...benchArgs], {
    env,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return JSON.parse(out.toString().trim().split('\n').pop());
}

function delta(before, after) {
  const result = {};
  for (const [id, counts] of Object.entries(after.counts)) {
    result[id] = {};
    for (const [type, n] of Object.entries(counts)) result[id][type] = n - (before.counts[id][type] ?? 0);
  }
  return { ms: after.atMs - before.atMs, counts: result };
}

/** Turns per write on each node, by type, with the idle rate over the same time taken off. */
function perWrite(run, idle, writes) {
  const result = {};
  for (const [id, counts] of Object.entries(run.counts)) {
    const row = {};
    let total = 0;
    for (const [type, n] of Object.entries(counts)) {
      const idleN = ((idle.counts[id][type] ?? 0) * run.ms) / idle.ms;
      const turns = Math.max(0, (n - idleN) / writes);
      if (turns >= 0.05) row[type] = Number(turns.toFixed(2));
      total += turns;
    }
    row.total = Number(total.toFixed(2));
    result[id] = row;
  }
  return result;
}

async function main() {
  for (const node of NODES) startNode(node);
  await until('two followers', async () => (await followerCount()) >= 2);
  const t0 = await snapshot();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const t1 = await snapshot();
  const viaLeader = runBench(`${host}:${NODES[0].port}`);
  const t2 = await snapshot();
  const viaFollower = runBench(`${host}:${NODES[1].port}`);
  const t3 = await snapshot();
  const idle = delta(t0, t1);
  // W1 counts cycles; each cycle is two writes (a preempt and its release).
  const result = {
    viaLeader: { writes: viaLeader.ops * 2, turnsPerWrite: perWrite(delta(t1, t2), idle, viaLeader.ops * 2) },
    viaFollower: {
      writes: viaFollower.ops * 2,
      turnsPerWrite: perWrite(delta(t2, t3), idle, viaFollower.ops * 2),
    },
  };
  if (asJson) console.log(JSON.stringify(result));
  else {
    for (const [path_, r] of Object.entries(result)) {
      console.log(`${path_} (${r.writes} writes, one client; n1 leads, n2 is the follower written to):`);
      for (const [id, row] of Object.entries(r.turnsPerWrite)) console.log(`  ${id}: ${JSON.stringify(row)}`);
    }
  }
}

/** Stops the nodes by PID and waits for them to exit before removing their files. */
async function stopAll() {
  const running = NODES.filter((node) => node.child && node.child.exitCode === null);
  await Promise.all(
    running.map(
      (node) =>
        new Promise((resolve) => {
          node.child.once('exit', resolve);
          node.child.kill('SIGTERM');
        }),
    ),
  );
  fs.rmSync(dir, { recursive: true, force: true });
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(stopAll);
