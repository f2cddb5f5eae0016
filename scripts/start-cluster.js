#!/usr/bin/env node
// `npm start`: a local three-node cluster. n1 bootstraps and leads first; n2 and n3 join
// it. Ctrl-C (SIGINT) or SIGTERM stops all three cleanly. The nodes share a cluster secret,
// generated once into data/cluster-secret (unless LATCHKEY_CLUSTER_SECRET is set), so their
// peer traffic is authenticated.
const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
require('./ensure-built.js');

const NODES = [
  { id: 'n1', app: 'leader', port: 8001, httpPort: 3001 },
  { id: 'n2', app: 'follower', port: 8002, httpPort: 3002 },
  { id: 'n3', app: 'follower', port: 8003, httpPort: 3003 },
];
const host = process.env.LATCHKEY_HOST ?? '127.0.0.1';
const secretFile = path.join('data', 'cluster-secret');

/** The secret file, created once (mode 0600); none when the environment gives the secret. */
function clusterSecretFile() {
  if (process.env.LATCHKEY_CLUSTER_SECRET || process.env.LATCHKEY_CLUSTER_SECRET_FILE) return null;
  const file = path.join(root, secretFile);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  }
  return secretFile;
}
const secret = clusterSecretFile();
const children = new Map();
let stopping = false;

function argsFor(node) {
  const args = [
    '--id',
    node.id,
    '--host',
    host,
    '--port',
    String(node.port),
    '--http-port',
    String(node.httpPort),
    '--data-dir',
    path.join('data', node.id),
  ];
  if (node.app === 'follower') args.push('--join', `${host}:${NODES[0].port}`);
  // The bootstrap rule: n1 on an emptied data directory joins the cluster n2 and n3 form.
  else
    args.push(
      '--peers',
      NODES.filter((n) => n !== node)
        .map((n) => `${host}:${n.port}`)
        .join(','),
    );
  if (secret !== null) args.push('--cluster-secret-file', secret);
  return args;
}

const LEVELS = { 10: 'TRACE', 20: 'DEBUG', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** A node's JSON log line as one short line of text: time, level when not info, message. */
function readable(line) {
  if (!line.startsWith('{')) return line;
  let entry;
  try {
    entry = JSON.parse(line);
  } catch {
    return line;
  }
  const time = new Date(entry.time).toTimeString().slice(0, 8);
  const level = LEVELS[entry.level] ? `${LEVELS[entry.level]} ` : '';
  const request = entry.req ? ` ${entry.req.method} ${entry.req.url} -> ${entry.res?.statusCode}` : '';
  const error = entry.err?.message ? `: ${entry.err.message}` : '';
  return `${time} ${level}${entry.msg ?? ''}${request}${error}`;
}

function start(node) {
  const args = argsFor(node);
  const child = spawn(process.execPath, [path.join('dist', 'apps', node.app, 'main.js'), ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  const prefix = (stream, out) => {
    let partial = '';
    stream.on('data', (chunk) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop();
      for (const line of lines) if (line) out.write(`[${node.id}] ${readable(line)}\n`);
    });
  };
  prefix(child.stdout, process.stdout);
  prefix(child.stderr, process.stderr);
  child.on('exit', (code, signal) => {
    children.delete(node.id);
    if (stopping) return;
    process.stdout.write(
      `[${node.id}] exited (${signal ?? `code ${code}`}). The other nodes keep serving while a majority is up.\n` +
        `      Restart it with: node dist/apps/${node.app}/main.js ${args.join(' ')}\n`,
    );
  });
  children.set(node.id, child);
}

function stopAll(signal) {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`\nstopping the cluster (${signal})...\n`);
  for (const child of children.values()) child.kill('SIGTERM');
  const deadline = setTimeout(() => {
    for (const child of children.values()) child.kill('SIGKILL');
  }, 10_000);
  const check = setInterval(() => {
    if (children.size > 0) return;
    clearInterval(check);
    clearTimeout(deadline);
    process.exit(0);
  }, 50);
}

process.on('SIGINT', () => stopAll('SIGINT'));
process.on('SIGTERM', () => stopAll('SIGTERM'));
for (const node of NODES) start(node);
process.stdout.write(
  'Latchkey: a three-node cluster on this machine.\n' +
    NODES.map(
      (n) =>
        `  ${n.id} (${n.app === 'leader' ? 'first leader' : 'follower'})  TCP ${host}:${n.port}  dashboard http://${host}:${n.httpPort}/  Swagger http://${host}:${n.httpPort}/docs`,
    ).join('\n') +
    '\nTry:  curl -s -XPOST localhost:3002/locks/demo/preempt -H "content-type: application/json" -d "{\\"clientId\\":\\"5f0c8a1e-7b9d-5c3e-9a41-0d2b6f7e8c11\\"}"\n' +
    '      npm run client -- localhost 8001\nCtrl-C stops all three.\n',
);
