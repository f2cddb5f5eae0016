#!/usr/bin/env node
// `npm run pack:client`: builds the SDK and CLI (libs/lock-client with libs/protocol) as
// the standalone npm package `latchkey-client` (JavaScript, .d.ts, a `latchkey` bin) in
// dist/packages/latchkey-client, and packs it into dist/packages/latchkey-client-<version>.tgz.
// Prints the tarball's path last.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const source = path.join(root, 'packages', 'latchkey-client');
const out = path.join(root, 'dist', 'packages', 'latchkey-client');
const rootPackage = require(path.join(root, 'package.json'));
/** What the SDK and CLI load at run time; versions are the monorepo's pins. */
const RUNTIME_DEPENDENCIES = [
  '@nestjs/common',
  '@nestjs/core',
  '@nestjs/microservices',
  'commander',
  'reflect-metadata',
  'rxjs',
  'uuid',
];

fs.rmSync(out, { recursive: true, force: true });
execFileSync(
  process.execPath,
  [require.resolve('typescript/bin/tsc'), '-p', path.join(source, 'tsconfig.json')],
  {
    cwd: root,
    stdio: 'inherit',
  },
);

// The monorepo's path alias becomes a relative import inside the package.
const dist = path.join(out, 'dist');
const protocolIndex = path.join(dist, 'protocol', 'src', 'index');
for (const file of walk(dist)) {
  if (!/\.(js|d\.ts)$/.test(file)) continue;
  let relative = path.relative(path.dirname(file), protocolIndex).split(path.sep).join('/');
  if (!relative.startsWith('.')) relative = `./${relative}`;
  const text = fs.readFileSync(file, 'utf8').replace(/(['"])@app\/protocol\1/g, `$1${relative}$1`);
  fs.writeFileSync(file, text);
}
const cli = path.join(dist, 'lock-client', 'src', 'cli', 'main.js');
fs.writeFileSync(cli, `#!/usr/bin/env node\n${fs.readFileSync(cli, 'utf8')}`);
fs.chmodSync(cli, 0o755);

const version = rootPackage.version;
const manifest = {
  name: 'latchkey-client',
  version,
  description:
    'SDK and CLI of the Latchkey replicated lock service (fencing tokens, sessions, waiting, watches)',
  license: rootPackage.license,
  main: 'dist/lock-client/src/index.js',
  types: 'dist/lock-client/src/index.d.ts',
  bin: { latchkey: 'dist/lock-client/src/cli/main.js' },
  files: ['dist', 'README.md'],
  engines: rootPackage.engines,
  dependencies: Object.fromEntries(
    RUNTIME_DEPENDENCIES.map((name) => [name, rootPackage.dependencies[name]]),
  ),
};
fs.writeFileSync(path.join(out, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
fs.copyFileSync(path.join(source, 'README.md'), path.join(out, 'README.md'));
const packed = execFileSync('npm', ['pack', '--silent', '--pack-destination', path.dirname(out)], {
  cwd: out,
  encoding: 'utf8',
})
  .trim()
  .split('\n')
  .pop();
process.stdout.write(`${path.join(path.dirname(out), packed)}\n`);

function* walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else yield full;
  }
}
