#!/usr/bin/env node
// Builds every project when dist/ is missing or older than any source file, so that
// `npm start`, `npm test` and `npm run client` work from a fresh clone.
const { execSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const stamp = path.join(root, 'dist', '.build-stamp');
const sources = ['apps', 'libs', 'tsconfig.json', 'nest-cli.json', 'package-lock.json'];

function newestMtimeMs(entry) {
  const stat = fs.statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const child of fs.readdirSync(entry)) {
    if (child === 'node_modules' || child === 'test' || child === 'simulator' || child.endsWith('.spec.ts'))
      continue;
    newest = Math.max(newest, newestMtimeMs(path.join(entry, child)));
  }
  return newest;
}

const builtAt = fs.existsSync(stamp) ? fs.statSync(stamp).mtimeMs : 0;
const newestSource = Math.max(...sources.map((entry) => newestMtimeMs(path.join(root, entry))));
if (builtAt < newestSource) {
  process.stderr.write('latchkey: building (dist/ is missing or older than the sources)...\n');
  const startedAt = new Date();
  execSync('npm run build --silent', { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  // Stamp with the start time: a source saved during the build still counts as newer.
  fs.writeFileSync(stamp, '');
  fs.utimesSync(stamp, startedAt, startedAt);
}
