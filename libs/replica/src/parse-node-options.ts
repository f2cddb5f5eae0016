import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { HOST_PORT, MEMBER_ID, parseHostPort, type ValidationRule } from '@app/protocol';
import { validateRaftConfig } from '@app/replicated-log';
import type { NodeOptions } from './node-options';
import { raftConfigFromOptions } from './raft-config-from-options';

type Role = 'leader' | 'follower';

/** Every option, its environment variable and its default (also listed in .env.example). */
const OPTION_TABLE = [
  ['--id <id>', 'LATCHKEY_ID', 'node id (default: n<port>)'],
  ['--host <host>', 'LATCHKEY_HOST', 'address to bind and advertise (default: 127.0.0.1)'],
  ['--port <port>', 'LATCHKEY_PORT', 'TCP port for clients and peers (default: 8001 leader, 8002 follower)'],
  ['--http-port <port>', 'LATCHKEY_HTTP_PORT', 'HTTP gateway port (default: TCP port - 5000)'],
  ['--data-dir <dir>', 'LATCHKEY_DATA_DIR', 'WAL directory (default: ./data/<id>)'],
  ['--join <host:port>', 'LATCHKEY_JOIN', 'TCP address of a cluster member to join through'],
  [
    '--peers <host:port,...>',
    'LATCHKEY_PEERS',
    'the other nodes; a leader with an empty data directory joins the cluster they form, if any',
  ],
  [
    '--advertise <host:port>',
    'LATCHKEY_ADVERTISE',
    'TCP address peers reach this node at, when a proxy or NAT sits in between (default: host:port)',
  ],
  [
    '--cluster-secret-file <file>',
    'LATCHKEY_CLUSTER_SECRET_FILE',
    'file holding the cluster secret (or set LATCHKEY_CLUSTER_SECRET); without one, peers are unauthenticated',
  ],
  ['--tick-ms <ms>', 'LATCHKEY_TICK_MS', 'length of one logical tick (default: 10)'],
  ['--heartbeat-ms <ms>', 'LATCHKEY_HEARTBEAT_MS', 'leader heartbeat interval (default: 100)'],
  [
    '--election-timeout-min-ms <ms>',
    'LATCHKEY_ELECTION_TIMEOUT_MIN_MS',
    'election timeout lower bound (default: 1000)',
  ],
  [
    '--election-timeout-max-ms <ms>',
    'LATCHKEY_ELECTION_TIMEOUT_MAX_MS',
    'election timeout upper bound (default: 2000)',
  ],
  [
    '--request-timeout-ms <ms>',
    'LATCHKEY_REQUEST_TIMEOUT_MS',
    'how long a request waits for commit (default: 5000)',
  ],
  ['--max-body-bytes <n>', 'LATCHKEY_MAX_BODY_BYTES', 'largest accepted HTTP body (default: 16384)'],
  [
    '--snapshot-every <n>',
    'LATCHKEY_SNAPSHOT_EVERY',
    'snapshot the state machine every n applied entries (default: 10000)',
  ],
  [
    '--wal-segment-bytes <n>',
    'LATCHKEY_WAL_SEGMENT_BYTES',
    'start a new WAL segment file at this size (default: 67108864)',
  ],
] as const;

function positiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1)
    throw new InvalidArgumentError(`"${value}" is not a positive integer`);
  return parsed;
}

function normalizeHost(host: string): string {
  // "localhost" may resolve to ::1 while peers dial 127.0.0.1; pin it.
  return host === 'localhost' ? '127.0.0.1' : host;
}

/**
 * Parses `[host] [port]` (leader) or `[host] [port] [joinHost] [joinPort]` (follower), the
 * seed's positional form, and the named options. Named options win over positionals,
 * which win over the environment, which wins over defaults.
 */
export function parseNodeOptions(role: Role, argv: string[], env: NodeJS.ProcessEnv): NodeOptions {
  const program = new Command(role).argument('[host]').argument('[port]');
  if (role === 'follower') program.argument('[joinHost]').argument('[joinPort]');
  for (const [flags, envName, description] of OPTION_TABLE) {
    program.option(flags, `${description} [env ${envName}]`);
  }
  program.allowExcessArguments(false).exitOverride();
  program.parse(argv, { from: 'user' });
  const named = program.opts<Record<string, string | undefined>>();
  const [posHost, posPort, posJoinHost, posJoinPort] = program.args;
  // An empty variable (as in a copied .env.example) means "not set".
  const fromEnv = (envName: string) => (env[envName] === '' ? undefined : env[envName]);
  const pick = (name: string, envName: string, positional?: string) =>
    named[name] ?? positional ?? fromEnv(envName);

  const host = normalizeHost(pick('host', 'LATCHKEY_HOST', posHost) ?? '127.0.0.1');
  const port = positiveInt(pick('port', 'LATCHKEY_PORT', posPort) ?? (role === 'leader' ? '8001' : '8002'));
  const id = pick('id', 'LATCHKEY_ID') ?? `n${port}`;
  const positionalJoin = posJoinHost ? `${normalizeHost(posJoinHost)}:${posJoinPort ?? '8001'}` : undefined;
  const join = pick('join', 'LATCHKEY_JOIN', positionalJoin) ?? null;
  if (join !== null) requireRule(HOST_PORT, '--join', join);
  if (role === 'follower' && join === null) {
    throw new InvalidArgumentError('a follower needs --join <host:port> (or the positional leader address)');
  }
  const int = (name: string, envName: string, fallback: number) =>
    positiveInt(pick(name, envName) ?? String(fallback));
  const options: NodeOptions = {
    id,
    host,
    port,
    httpPort: int('httpPort', 'LATCHKEY_HTTP_PORT', port - 5000),
    dataDir: pick('dataDir', 'LATCHKEY_DATA_DIR') ?? `./data/${id}`,
    join: join === null ? null : normalizeJoin(join),
    bootstrap: role === 'leader',
    peers: parsePeers(pick('peers', 'LATCHKEY_PEERS')),
    advertiseTcpAddress: optionalAddress('--advertise', pick('advertise', 'LATCHKEY_ADVERTISE')),
    clusterSecret: readClusterSecret(pick('clusterSecretFile', 'LATCHKEY_CLUSTER_SECRET_FILE'), fromEnv),
    tickMs: int('tickMs', 'LATCHKEY_TICK_MS', 10),
    heartbeatMs: int('heartbeatMs', 'LATCHKEY_HEARTBEAT_MS', 100),
    electionTimeoutMinMs: int('electionTimeoutMinMs', 'LATCHKEY_ELECTION_TIMEOUT_MIN_MS', 1000),
    electionTimeoutMaxMs: int('electionTimeoutMaxMs', 'LATCHKEY_ELECTION_TIMEOUT_MAX_MS', 2000),
    requestTimeoutMs: int('requestTimeoutMs', 'LATCHKEY_REQUEST_TIMEOUT_MS', 5000),
    maxBodyBytes: int('maxBodyBytes', 'LATCHKEY_MAX_BODY_BYTES', 16384),
    snapshotEvery: int('snapshotEvery', 'LATCHKEY_SNAPSHOT_EVERY', 10_000),
    walSegmentBytes: int('walSegmentBytes', 'LATCHKEY_WAL_SEGMENT_BYTES', 64 * 1024 * 1024),
  };
  requireRule(MEMBER_ID, '--id', options.id);
  requireSoundTiming(options);
  return options;
}

/**
 * The timings as the core will count them (ticks): an election timeout no longer than a
 * heartbeat would make followers campaign between heartbeats (Raft section 5.2).
 */
function requireSoundTiming(options: NodeOptions): void {
  const problem = validateRaftConfig(raftConfigFromOptions(options, 'checked-at-start'));
  if (problem === null) return;
  const flags = `--tick-ms ${options.tickMs}, --heartbeat-ms ${options.heartbeatMs}, --election-timeout-min-ms ${options.electionTimeoutMinMs}, --election-timeout-max-ms ${options.electionTimeoutMaxMs}`;
  throw new InvalidArgumentError(`${problem.replace(/Ticks/g, '')} (${flags})`);
}

/** The shared rule of `@app/protocol`, worded for a flag: `--id "x y" must be ...`. */
function requireRule(rule: ValidationRule<string>, flag: string, value: string): void {
  const field = `${flag} "${value}"`;
  if (!rule.test(value)) throw new InvalidArgumentError(rule.message(field));
}

/** Shorter secrets are refused: the MAC is only as strong as the secret. */
const MIN_SECRET_LENGTH = 16;

function optionalAddress(flag: string, value: string | undefined): string | null {
  if (value === undefined) return null;
  requireRule(HOST_PORT, flag, value);
  return normalizeJoin(value);
}

function parsePeers(list: string | undefined): string[] {
  if (list === undefined) return [];
  const peers = list
    .split(',')
    .map((peer) => peer.trim())
    .filter((peer) => peer !== '');
  for (const peer of peers) requireRule(HOST_PORT, '--peers', peer);
  return peers.map(normalizeJoin);
}

function readClusterSecret(
  file: string | undefined,
  fromEnv: (envName: string) => string | undefined,
): string | null {
  const secret =
    file === undefined
      ? fromEnv('LATCHKEY_CLUSTER_SECRET')
      : readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  if (secret === undefined) return null;
  if (secret.length < MIN_SECRET_LENGTH)
    throw new InvalidArgumentError(
      `the cluster secret must be at least ${MIN_SECRET_LENGTH} characters (e.g. openssl rand -hex 32)`,
    );
  return secret;
}

function normalizeJoin(join: string): string {
  const parsed = parseHostPort(join);
  return parsed ? `${normalizeHost(parsed.host)}:${parsed.port}` : join;
}
