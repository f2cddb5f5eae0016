import { Command, InvalidArgumentError } from 'commander';

export interface VerifyOptions {
  servers: string[];
  seconds: number;
  clients: number;
  keys: number;
  seed: number;
  requestTimeoutMs: number;
  out: string;
  /** re-check this history file instead of running a workload */
  check?: string;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

function serverList(value: string): string[] {
  const servers = value.split(',').map((s) => s.trim());
  for (const s of servers) {
    if (!/^[A-Za-z0-9.-]+:\d{1,5}$/.test(s)) throw new InvalidArgumentError(`expected host:port, got "${s}"`);
  }
  return servers;
}

/** Parses the command line of `npm run verify`; commander prints usage errors and exits 2. */
export function parseVerifyOptions(argv: string[], now: Date): VerifyOptions {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const program = new Command('verify')
    .description(
      'Run a recorded workload against a running Latchkey cluster and check that its history is linearizable.',
    )
    .option('--servers <list>', 'HTTP host:port of every node, comma-separated', serverList, [
      '127.0.0.1:3001',
      '127.0.0.1:3002',
      '127.0.0.1:3003',
    ])
    .option('--seconds <n>', 'how long to run the workload', positiveInt, 60)
    .option('--clients <n>', 'concurrent clients (at most one request outstanding each)', positiveInt, 8)
    .option('--keys <n>', 'how many lock names to contend on', positiveInt, 4)
    .option('--seed <n>', "seed of the clients' choices (printed; default: random)", positiveInt)
    .option(
      '--request-timeout-ms <n>',
      'a request unanswered this long has an unknown outcome',
      positiveInt,
      3000,
    )
    .option('--out <file>', 'where to write the history (JSONL)', `verify-history-${stamp}.jsonl`)
    .option('--check <file>', 'check a history file written earlier instead of running a workload')
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));
  program.parse(argv, { from: 'user' });
  const o = program.opts<Omit<VerifyOptions, 'seed'> & { seed?: number }>();
  return { ...o, seed: o.seed ?? 1 + Math.floor(Math.random() * 1_000_000) };
}
