// The specs StrykerJS runs against each mutant of the core libs: their own unit specs, which
// are fast and deterministic. (The seeded simulation and the e2e suites are too slow to run
// once per mutant; they run in `npm test`.)
const base = require('./jest.config.js');
const unit = base.projects.find((project) => project.displayName === 'unit');

module.exports = {
  ...unit,
  displayName: undefined,
  testMatch: [
    '<rootDir>/libs/replicated-log/**/*.spec.ts',
    '<rootDir>/libs/lock-table/**/*.spec.ts',
    '<rootDir>/libs/wal/**/*.spec.ts',
  ],
};
