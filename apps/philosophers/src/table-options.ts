import { formatHostPort, parseHostPort } from '@app/protocol';
import { Command, InvalidArgumentError } from 'commander';

/** The command line of the table, validated. */
export interface TableOptions {
  philosophers: number;
  seconds: number;
  eatMs: number;
  thinkMs: number;
  /** TCP addresses of a running cluster; empty: start an embedded three-node cluster. */
  servers: string[];
  sessionTtlMs: number;
  forkWaitMs: number;
  chart?: string;
  json?: string;
  killPhilosopherAfterS?: number;
  killNodeAfterS?: number;
}

function integerIn(min: number, max: number) {
  return (text: string): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    }
    return value;
  };
}

function positiveSeconds(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || value > 86_400) {
    throw new InvalidArgumentError('expected a number of seconds above 0 (at most 86400)');
  }
  return value;
}

function serverList(text: string): string[] {
  const addresses = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (addresses.length === 0) throw new InvalidArgumentError('expected host:port,host:port,...');
  return addresses.map((address) => {
    const parsed = parseHostPort(address);
    if (parsed === null) throw new InvalidArgumentError(`"${address}" is not host:port`);
    return formatHostPort(parsed);
  });
}

/**
 * Parses argv (as process.argv) with commander; exitOverride turns commander's own exits
 * (help, usage errors) into thrown CommanderErrors so the caller picks the exit code.
 */
export function parseTableOptions(argv: readonly string[]): TableOptions {
  const program = new Command('philosophers')
    .description('The dining philosophers on Latchkey: each philosopher its own process, forks are locks.')
    .option('--philosophers <n>', 'how many philosophers (2-64)', integerIn(2, 64), 5)
    .option('--seconds <s>', 'how long the dinner lasts', positiveSeconds, 30)
    // A meal several times longer than a lock handoff (a commit on a majority) keeps the
    // forks busy eating rather than changing hands.
    .option('--eat-ms <ms>', 'how long a meal takes', integerIn(1, 60_000), 500)
    .option(
      '--think-ms <ms>',
      'mean thinking time between meals (drawn from 0.5x to 1.5x)',
      integerIn(0, 60_000),
      100,
    )
    .option(
      '--servers <list>',
      'TCP host:port of a running cluster, comma separated (default: start one)',
      serverList,
    )
    .option(
      '--session-ttl-ms <ms>',
      "a philosopher's session TTL: its forks come free this long after it dies",
      integerIn(1000, 600_000),
      3000,
    )
    .option(
      '--fork-wait-ms <ms>',
      'how long one waiting preempt of a fork may wait',
      integerIn(100, 300_000),
      10_000,
    )
    .option('--chart <file.svg>', 'write the bar chart of meals per philosopher as SVG')
    .option('--json <file>', 'write the results as JSON')
    .option(
      '--kill-philosopher-after <s>',
      'kill -9 one philosopher (one that is eating) after S seconds',
      positiveSeconds,
    )
    .option(
      '--kill-node-after <s>',
      'kill -9 the leader node of the embedded cluster after S seconds',
      positiveSeconds,
    )
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  program.parse([...argv], { from: 'node' });
  const opts = program.opts<{
    philosophers: number;
    seconds: number;
    eatMs: number;
    thinkMs: number;
    servers?: string[];
    sessionTtlMs: number;
    forkWaitMs: number;
    chart?: string;
    json?: string;
    killPhilosopherAfter?: number;
    killNodeAfter?: number;
  }>();
  const fail = (message: string): never => program.error(`error: ${message}`, { exitCode: 2 });
  if (opts.killPhilosopherAfter !== undefined && opts.killPhilosopherAfter >= opts.seconds)
    fail('--kill-philosopher-after must be less than --seconds');
  if (opts.killNodeAfter !== undefined && opts.killNodeAfter >= opts.seconds)
    fail('--kill-node-after must be less than --seconds');
  if (opts.killNodeAfter !== undefined && opts.servers !== undefined)
    fail('--kill-node-after needs the embedded cluster (leave out --servers)');
  return {
    philosophers: opts.philosophers,
    seconds: opts.seconds,
    eatMs: opts.eatMs,
    thinkMs: opts.thinkMs,
    servers: opts.servers ?? [],
    sessionTtlMs: opts.sessionTtlMs,
    forkWaitMs: opts.forkWaitMs,
    chart: opts.chart,
    json: opts.json,
    killPhilosopherAfterS: opts.killPhilosopherAfter,
    killNodeAfterS: opts.killNodeAfter,
  };
}
