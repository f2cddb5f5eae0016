import { isClientId, parseHostPort } from '@app/protocol';
import { Command, InvalidArgumentError } from 'commander';
import { defaultClientId } from '../default-client-id';

/** What the command line asked for, validated. */
export interface CliInvocation {
  /** The node given as HOST PORT first, then the --nodes fallbacks. */
  nodes: [string, ...string[]];
  clientId: string;
  json: boolean;
  requestTimeoutMs?: number;
  /** The one-shot command and its arguments; empty for the interactive prompt. */
  words: string[];
}

const HELP_AFTER = `
Commands (without one, an interactive prompt starts; type "help" there):
  preempt NAME [--wait MS] [--ttl MS] [--session ID]
                         take the lock NAME; --wait queues for up to MS ms (0-300000) while
                         it is held; --ttl frees it MS ms (1000-600000) after the grant;
                         --session takes it for that session (only that ID releases it)
  release NAME [--session ID]
                         give back NAME; a lock taken with a session needs its ID
  check NAME             who holds NAME, and how many wait for it
  list [PREFIX]          held locks, optionally only names starting with PREFIX
  status                 the cluster as the answering node sees it: a table with the log
                         figures in a terminal, JSON when piped
  top [N] [--interval MS]
                         the N (1-100, default 20) busiest locks with holder, hold and wait
                         times, redrawn every MS ms (default 1000) until Ctrl-C; printed once
                         when piped
  session open [--ttl MS]
                         open a session (TTL 1000-600000 ms, default 10000) and print its
                         JSON, sessionId included: keep that ID secret. This process exits
                         and sends no keepalives, so the session (and its locks) expires
                         after the TTL unless something else keeps it alive. At the prompt
                         the session is kept alive and used by preempt and release.
  session close --session ID   (or: session close ID)
                         close a session, releasing its locks
  watch NAME             print each change to NAME (granted, released, expired) as a JSON
                         line until Ctrl-C (exit 0); exit 2 when the serving node goes away

Exit codes of a one-shot command (which prints its JSON response on stdout):
  0  success
  1  refused (preempt not acquired, release not released)
  2  error (bad usage, invalid name, no node reachable, error answered by the service,
     e.g. not_found for an unknown, closed or expired session)`;

/**
 * Parses argv with commander. Commander's own exits are turned into thrown CommanderErrors
 * (exitOverride) so the caller decides the exit code and no process.exit cuts output short.
 */
export function parseCliArgs(argv: readonly string[]): CliInvocation {
  const program = new Command('latchkey')
    .description('Client of the Latchkey replicated lock service')
    .argument('<host>', 'host of a node (its TCP transport)')
    .argument('<port>', 'TCP port of that node')
    .argument('[command...]', 'a command to run once instead of the interactive prompt')
    .option('--nodes <list>', 'fallback nodes, comma separated host:port', parseNodeList)
    .option('--client-id <uuid>', 'client ID to hold locks as (default: uuid v5 of user@host)', parseClientId)
    .option('--timeout <ms>', 'timeout of one request to one node', parseTimeout)
    .option('--json', 'print raw JSON responses at the interactive prompt too')
    .addHelpText('after', HELP_AFTER)
    // Command options (--wait, --ttl, --session) stay in the command's words.
    .allowUnknownOption()
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  program.parse([...argv], { from: 'node' });

  const [host, port, words] = program.processedArgs as [string, string, string[]];
  const primary = parseHostPort(`${host}:${port}`);
  if (!primary) program.error(`error: invalid node address "${host}:${port}"`, { exitCode: 2 });
  const opts = program.opts<{ nodes?: string[]; clientId?: string; timeout?: number; json?: boolean }>();
  return {
    nodes: [`${host}:${port}`, ...(opts.nodes ?? [])],
    clientId: opts.clientId ?? defaultClientId(),
    json: opts.json === true,
    requestTimeoutMs: opts.timeout,
    words,
  };
}

function parseNodeList(value: string): string[] {
  const nodes = value
    .split(',')
    .map((node) => node.trim())
    .filter((node) => node.length > 0);
  const invalid = nodes.find((node) => parseHostPort(node) === null);
  if (nodes.length === 0 || invalid !== undefined) {
    throw new InvalidArgumentError(`expected host:port[,host:port...], got "${invalid ?? value}"`);
  }
  return nodes;
}

function parseClientId(value: string): string {
  if (!isClientId(value)) throw new InvalidArgumentError('expected a UUID');
  return value.toLowerCase();
}

function parseTimeout(value: string): number {
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms <= 0)
    throw new InvalidArgumentError('expected a positive number of milliseconds');
  return ms;
}
