import { Command, InvalidArgumentError } from 'commander';
import { parseHostPort } from '@app/protocol';
import type { CoordinatorOptions } from '../coordinator/coordinator-options';
import type { ReplicaOptions } from '../replica/replica-options';
import type { LauncherOptions } from './launcher-options';

export type TwoPcCommand =
  | { role: 'replica'; options: ReplicaOptions }
  | { role: 'coordinator'; options: CoordinatorOptions }
  | { role: 'service' | 'demo'; options: LauncherOptions };

const ROLES = ['replica', 'coordinator', 'service', 'demo'] as const;

function int(min: number, max: number): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max)
      throw new InvalidArgumentError(`"${value}" is not an integer from ${min} to ${max}`);
    return parsed;
  };
}

function probability(value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed < 0 || parsed > 1)
    throw new InvalidArgumentError(`"${value}" is not a probability from 0 to 1`);
  return parsed;
}

function addresses(value: string): string[] {
  const list = value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  for (const item of list)
    if (parseHostPort(item) === null) throw new InvalidArgumentError(`"${item}" is not host:port`);
  return list;
}

/** "r1=127.0.0.1:7001,r2=..." */
function namedAddresses(value: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const item of value.split(',').filter((part) => part.trim() !== '')) {
    const [id, address] = item.trim().split('=');
    if (!id || !/^[A-Za-z0-9_-]{1,32}$/.test(id) || !address || parseHostPort(address) === null)
      throw new InvalidArgumentError(`"${item}" is not id=host:port`);
    map.set(id, address);
  }
  return map;
}

function urls(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim().replace(/\/+$/, ''))
    .filter((item) => /^https?:\/\/\S+$/.test(item));
}

function program(): Command {
  return new Command('twopc')
    .description('Two-phase commit for a highly available register, on Latchkey')
    .option('--role <role>', `${ROLES.join(' | ')} (default: demo with --rounds, else service)`)
    .option('--replicas <n>', 'how many replicas to start (service, demo)', int(1, 9), 3)
    .option('--rounds <n>', 'run the demo: this many writes, then stop', int(1, 100_000))
    .option('--json <file>', 'demo: write the results as JSON here')
    .option(
      '--servers <host:port,...>',
      'Latchkey TCP addresses (default: start a local cluster)',
      addresses,
      [],
    )
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option(
      '--http-port <port>',
      'coordinator HTTP port (service: standbys take the next ones)',
      int(1, 65535),
      4000,
    )
    .option('--abort-probability <p>', 'each replica votes no with this probability', probability, 0)
    .option('--vote-timeout-ms <ms>', 'a vote missing this long aborts', int(50, 600_000), 2000)
    .option(
      '--decision-timeout-ms <ms>',
      'a yes voter asks for the decision after this long',
      int(50, 600_000),
      2000,
    )
    .option(
      '--session-ttl-ms <ms>',
      'Latchkey session TTL of replicas and coordinators',
      int(1000, 600_000),
      3000,
    )
    .option('--standbys <n>', 'standby coordinators to start (service, demo)', int(0, 5), 1)
    .option('--data-dir <dir>', 'replica data, or (service, demo) the root for every process')
    .option('--keep-data', 'service, demo: keep the temporary directory')
    .option('--id <id>', 'replica or coordinator id')
    .option('--port <port>', 'replica TCP port', int(1, 65535))
    .option('--peers <id=host:port,...>', 'replica: the other replicas', namedAddresses, new Map())
    .option('--coordinators <url,...>', 'replica: coordinator HTTP base URLs', urls, [])
    .option('--replica-addresses <id=host:port,...>', 'coordinator: the replicas', namedAddresses, new Map())
    .option('--log-dir <dir>', 'coordinator: the decision log directory, shared by all coordinators')
    .option('--standby', 'coordinator: wait for the coordinator lock as long as it takes')
    .allowExcessArguments(false)
    .exitOverride();
}

interface RawOptions {
  role?: string;
  replicas: number;
  rounds?: number;
  json?: string;
  servers: string[];
  host: string;
  httpPort: number;
  abortProbability: number;
  voteTimeoutMs: number;
  decisionTimeoutMs: number;
  sessionTtlMs: number;
  standbys: number;
  dataDir?: string;
  keepData?: boolean;
  id?: string;
  port?: number;
  peers: Map<string, string>;
  coordinators: string[];
  replicaAddresses: Map<string, string>;
  logDir?: string;
  standby?: boolean;
}

function required<T>(value: T | undefined, flag: string, role: string): T {
  if (value === undefined) throw new InvalidArgumentError(`--role ${role} needs ${flag}`);
  return value;
}

function requiredList<T>(list: T[], flag: string, role: string): T[] {
  if (list.length === 0) throw new InvalidArgumentError(`--role ${role} needs ${flag}`);
  return list;
}

export function parseTwoPcOptions(argv: string[]): TwoPcCommand {
  const raw = program().parse(argv, { from: 'user' }).opts<RawOptions>();
  const role = raw.role ?? (raw.rounds !== undefined ? 'demo' : 'service');
  if (!(ROLES as readonly string[]).includes(role))
    throw new InvalidArgumentError(`--role must be one of ${ROLES.join(', ')}`);
  const common = { host: raw.host, sessionTtlMs: raw.sessionTtlMs };
  if (role === 'replica') {
    const id = required(raw.id, '--id', role);
    const servers = requiredList(raw.servers, '--servers', role);
    return {
      role,
      options: {
        ...common,
        id,
        port: required(raw.port, '--port', role),
        dataDir: raw.dataDir ?? `./data/twopc/${id}`,
        servers,
        peers: raw.peers,
        coordinators: raw.coordinators,
        abortProbability: raw.abortProbability,
        decisionTimeoutMs: raw.decisionTimeoutMs,
      },
    };
  }
  if (role === 'coordinator') {
    requiredList([...raw.replicaAddresses], '--replica-addresses', role);
    return {
      role,
      options: {
        ...common,
        id: raw.id ?? `c${raw.httpPort}`,
        httpPort: raw.httpPort,
        servers: requiredList(raw.servers, '--servers', role),
        replicas: raw.replicaAddresses,
        logDir: raw.logDir ?? './data/twopc/coordinators',
        voteTimeoutMs: raw.voteTimeoutMs,
        standby: raw.standby === true,
      },
    };
  }
  return {
    role: role as 'service' | 'demo',
    options: {
      ...common,
      replicas: raw.replicas,
      httpPort: raw.httpPort,
      servers: raw.servers,
      dataDir: raw.dataDir ?? null,
      abortProbability: raw.abortProbability,
      voteTimeoutMs: raw.voteTimeoutMs,
      decisionTimeoutMs: raw.decisionTimeoutMs,
      standbys: raw.standbys,
      rounds: raw.rounds ?? 20,
      json: raw.json ?? null,
      keepData: raw.keepData === true,
    },
  };
}
