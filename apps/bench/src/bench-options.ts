import { Command, InvalidArgumentError } from 'commander';

export const WORKLOADS = ['w1', 'w2', 'w3', 'w3lin'] as const;
export type Workload = (typeof WORKLOADS)[number];

export interface BenchOptions {
  workloads: Workload[];
  clients: number;
  connections: number;
  keys: number;
  seconds: number;
  warmupSeconds: number;
  /** TCP addresses of a running cluster; empty: start a durable 3-node cluster of our own. */
  servers: string[];
  json: boolean;
  /** When set, W1 only, for this many minutes, with throughput per minute. */
  durationMinutes: number | null;
}

function integer(min: number, max: number): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    }
    return value;
  };
}

function workloadList(text: string): Workload[] {
  if (text === 'all') return [...WORKLOADS];
  const names = text.split(',');
  for (const name of names) {
    if (!(WORKLOADS as readonly string[]).includes(name)) {
      throw new InvalidArgumentError(`expected ${WORKLOADS.join(', ')} or all (comma-separated)`);
    }
  }
  return names as Workload[];
}

function serverList(text: string): string[] {
  const servers = text.split(',').filter((s) => s.length > 0);
  for (const server of servers) {
    if (!/^[^:\s]+:\d{1,5}$/.test(server)) throw new InvalidArgumentError(`"${server}" is not host:port`);
  }
  return servers;
}

export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const program = new Command('bench')
    .description(
      'Closed-loop benchmark of a Latchkey cluster over the SDK (TCP). Without --servers it starts a ' +
        'durable 3-node cluster in a temporary directory, as `npm start` does, and stops it afterwards.',
    )
    .option('--workload <names>', 'w1 | w2 | w3 | w3lin | all, or a comma-separated list', workloadList, [
      'w1',
    ])
    .option('--clients <n>', 'logical clients, each with one operation outstanding', integer(1, 4096), 64)
    .option('--connections <n>', 'TCP connections the clients share', integer(1, 256), 8)
    .option('--keys <n>', 'locks W2 contends for', integer(1, 100_000), 8)
    .option('--seconds <s>', 'measured seconds per workload', integer(1, 3600), 10)
    .option('--warmup <s>', 'unmeasured seconds before each workload', integer(0, 600), 2)
    .option('--servers <list>', 'host:port,... of a running cluster (TCP)', serverList, [])
    .option('--json', 'only JSON on stdout, one line per workload', false)
    .option(
      '--duration-minutes <m>',
      'run W1 for M minutes and print throughput per minute',
      integer(1, 1440),
    )
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });
  program.parse([...argv], { from: 'user' });
  const raw = program.opts<{
    workload: Workload[];
    clients: number;
    connections: number;
    keys: number;
    seconds: number;
    warmup: number;
    servers: string[];
    json: boolean;
    durationMinutes?: number;
  }>();
  return {
    workloads: raw.durationMinutes === undefined ? raw.workload : ['w1'],
    clients: raw.clients,
    connections: Math.min(raw.connections, raw.clients),
    keys: raw.keys,
    seconds: raw.seconds,
    warmupSeconds: raw.warmup,
    servers: raw.servers,
    json: raw.json,
    durationMinutes: raw.durationMinutes ?? null,
  };
}
