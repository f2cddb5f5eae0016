// Webpack config of the `client` Nest CLI project (the Latchkey CLI).
// Nest derives the bundle path from the project root (libs/lock-client), which would put
// it at dist/libs/lock-client/main.js; the CLI is an app, so it goes to dist/apps/client.
// Wire it with "webpackConfigPath": "libs/lock-client/webpack.config.js" in the client
// project's compilerOptions in nest-cli.json, or `nest build client --webpackPath <this>`.
const path = require('node:path');

module.exports = (options) => ({
  ...options,
  output: {
    ...options.output,
    path: path.resolve(__dirname, '../../dist/apps/client'),
    filename: 'main.js',
  },
});
