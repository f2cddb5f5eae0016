#!/usr/bin/env node
// Builds every project when dist/ is missing or older than any source file, so that
// `npm start`, `npm test` and `npm run client` work from a fresh clone.
const { execSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const outputs = ['leader', 'follower', 'philosophers', 'twopc', 'client'].map((app) =>
  path.join(root, 'dist', 'apps', app, 'main.js'),
);
const sources = ['apps', 'libs', 'tsconfig.json', 'nest-cli.json', 'package-lock.json'];

function newestMtimeMs(entry) {
  const stat = fs.statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const child of fs.readdirSync(entry)) {
    if (child === 'node_modules' || child === 'test') continue;
    newest = Math.max(newest, newestMtimeMs(path.join(entry, child)));
  }
  return newest;
}

const oldestOutput = Math.min(...outputs.map((file) => (fs.existsSync(file) ? fs.statSync(file).mtimeMs : 0)));
const newestSource = Math.max(...sources.map((entry) => newestMtimeMs(path.join(root, entry))));
if (oldestOutput < newestSource) {
  process.stderr.write('latchkey: building (dist/ is missing or stale)...\n');
  execSync('npm run build --silent', { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
}
