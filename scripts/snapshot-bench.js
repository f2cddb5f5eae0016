#!/usr/bin/env node
// Benchmarks for snapshots and compaction (not a test; nothing asserts on speed):
//   1. start-up time and peak RSS of a node with 1,000,000 entries of history, without a
//      snapshot (the whole WAL is replayed) and with one (a snapshot near the end, the WAL
//      compacted behind it, as a node running with --snapshot-every leaves it);
//   2. the time a new member takes to catch up on that history through --join, from a
//      leader with and without a snapshot.
// The history is generated directly in the WAL's on-disk format: preempt/release cycles of
// one client over 1,000 lock names, 256 entries per record, in 64 MiB segments.
//
//   npm run build && node scripts/snapshot-bench.js [--entries 1000000] [--skip-catch-up]
const { spawn } = require('node:child_process');
const { randomUUID } = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');
const { crc32 } = require('node:zlib');

const ROOT = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const ENTRIES = Number(args[args.indexOf('--entries') + 1] || 0) || 1_000_000;
const SKIP_CATCH_UP = args.includes('--skip-catch-up');
const SEGMENT_BYTES = 64 * 1024 * 1024;
const BATCH = 256;
const CLIENT = '5f0c8a1e-7b9d-5c3e-9a41-0d2b6f7e8c11';
/** with a snapshot: it covers all but the last TAIL entries, and the WAL keeps 2 x TAIL behind it */
const TAIL = 5_000;

function record(value) {
  const payload = Buffer.from(JSON.stringify(value), 'utf8');
  const header = Buffer.alloc(8);
  header.writeUInt32BE(payload.length, 0);
  header.writeUInt32BE(crc32(payload), 4);
  return Buffer.concat([header, payload]);
}

function command(index) {
  const name = `bench-${(index >> 1) % 1000}`;
  // Even indexes preempt, odd ones release: the table ends (almost) empty, like a busy service's.
  return index % 2 === 0
    ? { type: 'preempt', name, clientId: CLIENT }
    : { type: 'release', name, clientId: CLIENT };
}

function entry(index, self) {
  const body =
    index === 1 ? { type: 'membership', members: [self] } : { type: 'command', command: command(index) };
  return { term: 1, index, leaderTimeMs: 1_700_000_000_000 + index, body };
}

/** Writes entries first..last as WAL segments in `dir`. */
function writeWal(dir, first, last, self) {
  let seq = 0;
  let fd = fs.openSync(path.join(dir, 'wal.log'), 'w');
  let bytes = 0;
  for (let start = first; start <= last; start += BATCH) {
    const end = Math.min(last, start + BATCH - 1);
    const entries = [];
    for (let i = start; i <= end; i++) entries.push(entry(i, self));
    const hardState = { term: 1, votedFor: self.id, commitIndex: end };
    const buffer = record({ t: 'write', entries, hardState, syncedBytes: bytes });
    if (bytes > 0 && bytes + buffer.length > SEGMENT_BYTES) {
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      seq++;
      fd = fs.openSync(path.join(dir, `wal-${String(seq).padStart(10, '0')}.log`), 'w');
      bytes = 0;
    }
    fs.writeSync(fd, buffer);
    bytes += buffer.length;
  }
  fs.fsyncSync(fd);
  fs.closeSync(fd);
}

/** The lock table after `index` entries of this history: every cycle released, or one lock held. */
function snapshotFile(dir, index, self) {
  const locks =
    index % 2 === 0
      ? [
          {
            name: `bench-${(index >> 1) % 1000}`,
            owner: CLIENT,
            fencingToken: index,
            sessionId: null,
            expiresAtMs: null,
          },
        ]
      : [];
  const state = {
    version: 1,
    appliedIndex: index,
    locks,
    queues: [],
    sessions: [],
    clientRequests: [],
    grantedWaiters: [],
  };
  const meta = { index, term: 1, members: [self], membershipIndex: 1 };
  const payload = Buffer.from(JSON.stringify({ meta, state }), 'utf8');
  const header = Buffer.alloc(16);
  Buffer.from('LKSNAP01', 'latin1').copy(header, 0);
  header.writeUInt32BE(payload.length, 8);
  header.writeUInt32BE(crc32(payload), 12);
  fs.writeFileSync(
    path.join(dir, `snapshot-${String(index).padStart(20, '0')}-1.snap`),
    Buffer.concat([header, payload]),
  );
}

function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function getJson(url) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () =>
        res.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(`${res.statusCode}`)),
      );
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
  });
}

function peakRssMiB(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)[1]) / 1024;
}

async function waitUntil(what, probe, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function startNode(app, { id, port, httpPort, dataDir, join, env }) {
  const argv = [
    '--id',
    id,
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--http-port',
    String(httpPort),
    '--data-dir',
    dataDir,
  ];
  if (join) argv.push('--join', join);
  const log = fs.openSync(path.join(path.dirname(dataDir), `${id}.log`), 'a');
  const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'apps', app, 'main.js'), ...argv], {
    cwd: ROOT,
    stdio: ['ignore', log, log],
    env: { ...process.env, NO_COLOR: '1', LATCHKEY_LOG_LEVEL: 'warn', ...env },
  });
  fs.closeSync(log);
  return child;
}

async function stop(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** A data directory with the history, with or without a snapshot. */
async function makeDataDir(root, id, withSnapshot) {
  const port = await freePort();
  const httpPort = await freePort();
  const dataDir = path.join(root, id);
  fs.mkdirSync(dataDir, { recursive: true });
  const storageId = randomUUID();
  fs.writeFileSync(path.join(dataDir, 'storage-id'), `${storageId}\n`);
  const self = { id, tcpAddress: `127.0.0.1:${port}`, httpAddress: `127.0.0.1:${httpPort}`, storageId };
  if (!withSnapshot) writeWal(dataDir, 1, ENTRIES, self);
  else {
    const index = ENTRIES - TAIL;
    snapshotFile(dataDir, index - 2 * TAIL, self);
    snapshotFile(dataDir, index, self);
    // What a node running with --snapshot-every leaves: the WAL from the older snapshot on.
    writeWal(dataDir, index - 2 * TAIL - 1_000, ENTRIES, self);
  }
  const walBytes = fs.readdirSync(dataDir).reduce((s, n) => s + fs.statSync(path.join(dataDir, n)).size, 0);
  return { id, port, httpPort, dataDir, walBytes };
}

async function measureStart(node) {
  const startedAt = performance.now();
  const child = startNode('leader', { ...node, env: { LATCHKEY_SNAPSHOT_EVERY: '1000000000' } });
  const url = `http://127.0.0.1:${node.httpPort}/cluster`;
  await waitUntil(`${node.id} to serve`, async () => (await getJson(url)).appliedIndex >= ENTRIES, 600_000);
  const seconds = (performance.now() - startedAt) / 1000;
  const rss = peakRssMiB(child.pid);
  return { child, seconds, rss, url };
}

async function measureCatchUp(root, leader, leaderUrl) {
  const port = await freePort();
  const httpPort = await freePort();
  const id = `${leader.id}-joiner`;
  const startedAt = performance.now();
  const child = startNode('follower', {
    id,
    port,
    httpPort,
    dataDir: path.join(root, id),
    join: `127.0.0.1:${leader.port}`,
    env: {},
  });
  try {
    const { commitIndex } = await getJson(leaderUrl);
    const url = `http://127.0.0.1:${httpPort}/cluster`;
    const view = await waitUntil(
      `${id} to catch up`,
      async () => {
        const v = await getJson(url);
        return v.appliedIndex >= commitIndex ? v : undefined;
      },
      900_000,
    );
    return {
      seconds: (performance.now() - startedAt) / 1000,
      snapshotsInstalled: view.snapshotsInstalled,
      rss: peakRssMiB(child.pid),
    };
  } finally {
    await stop(child);
  }
}

async function main() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-snapshot-bench-'));
  const rows = [];
  try {
    for (const withSnapshot of [false, true]) {
      const label = withSnapshot ? 'with snapshot' : 'without snapshot';
      process.stderr.write(`generating ${ENTRIES} entries (${label})...\n`);
      const node = await makeDataDir(root, withSnapshot ? 'snap' : 'full', withSnapshot);
      process.stderr.write(
        `starting a node on it (${(node.walBytes / 1024 / 1024).toFixed(1)} MiB on disk)...\n`,
      );
      const started = await measureStart(node);
      const row = {
        case: label,
        dataMiB: +(node.walBytes / 1024 / 1024).toFixed(1),
        startSeconds: +started.seconds.toFixed(2),
        peakRssMiB: +started.rss.toFixed(0),
      };
      try {
        if (!SKIP_CATCH_UP) {
          process.stderr.write('a new member joins and catches up...\n');
          const joined = await measureCatchUp(root, node, started.url);
          Object.assign(row, {
            catchUpSeconds: +joined.seconds.toFixed(2),
            joinerSnapshots: joined.snapshotsInstalled,
            joinerPeakRssMiB: +joined.rss.toFixed(0),
          });
        }
      } finally {
        await stop(started.child);
      }
      rows.push(row);
      console.log(JSON.stringify(row));
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  console.table(rows);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
