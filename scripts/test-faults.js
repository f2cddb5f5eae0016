#!/usr/bin/env node
// `npm run test:faults`: the core fault scenarios on real processes (see test/faults).
//   -- --all          every scenario, not only the core set
//   -- --only S2,S7   just these
//   -- --seed N       fix the seed (scenario i uses N + i)
//   -- --loopback     do not use network namespaces (partition scenarios are then skipped)
// Writes reliability-report.json in the project root.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const env = { ...process.env };
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--all') env.FAULTS_ALL = '1';
  else if (args[i] === '--loopback') env.FAULTS_LOOPBACK = '1';
  else if (args[i] === '--only') env.FAULTS_ONLY = args[++i];
  else if (args[i] === '--seed') env.FAULTS_SEED = args[++i];
  else {
    process.stderr.write(
      `test:faults: unknown option ${args[i]} (use --all, --only S1,S2, --seed N, --loopback)\n`,
    );
    process.exit(2);
  }
}
require('./ensure-built.js');
const jest = path.join(root, 'node_modules', '.bin', 'jest');
const run = spawnSync(jest, ['--config', 'jest.config.js', '--selectProjects', 'faults', '--runInBand'], {
  cwd: root,
  env,
  stdio: 'inherit',
});
process.exit(run.status ?? 1);
