import { TTL_MAX_MS, TTL_MIN_MS, WAIT_MAX_MS, isLockName, isSessionId } from '@app/protocol';

/** One lock-service operation as typed on the command line or at the prompt. */
export type LockCommand =
  | { op: 'preempt'; name: string; waitMs?: number; ttlMs?: number; sessionId?: string }
  | { op: 'release'; name: string; sessionId?: string }
  | { op: 'check'; name: string }
  | { op: 'watch'; name: string }
  | { op: 'list'; prefix?: string }
  | { op: 'status' }
  /** the busiest locks, refreshed every intervalMs in a terminal */
  | { op: 'top'; limit?: number; intervalMs?: number }
  | { op: 'session-open'; ttlMs?: number }
  /** Without sessionId: the prompt's own session. */
  | { op: 'session-close'; sessionId?: string };

export type ParsedCommand = { ok: true; command: LockCommand } | { ok: false; message: string };

export const COMMAND_USAGE =
  'preempt NAME [--wait MS] [--ttl MS] [--session ID] | release NAME [--session ID] | check NAME | ' +
  'list [PREFIX] | status | top [N] [--interval MS] | session open [--ttl MS] | session close [--session ID] | watch NAME';

type OptionName = 'wait' | 'ttl' | 'session';

interface CommandOptions {
  waitMs?: number;
  ttlMs?: number;
  sessionId?: string;
}

/** Parses `words` (command first) and validates names, numbers and ids before anything is sent. */
export function parseLockCommand(words: readonly string[]): ParsedCommand {
  const [op, ...rest] = words;
  switch (op) {
    case 'preempt':
      return parseNamed(op, rest, ['wait', 'ttl', 'session']);
    case 'release':
      return parseNamed(op, rest, ['session']);
    case 'check':
    case 'watch':
      return parseNamed(op, rest, []);
    case 'list': {
      const split = splitOptions(op, rest, []);
      if (!split.ok) return split;
      if (split.args.length > 1) return usage(`list takes at most one PREFIX`);
      return { ok: true, command: { op, prefix: split.args[0] } };
    }
    case 'status': {
      if (rest.length > 0) return usage('status takes no arguments');
      return { ok: true, command: { op } };
    }
    case 'top':
      return parseTop(rest);
    case 'session':
      return parseSession(rest);
    default:
      return usage(op === undefined ? 'missing command' : `unknown command "${op}"`);
  }
}

function parseNamed(
  op: 'preempt' | 'release' | 'check' | 'watch',
  rest: readonly string[],
  allowed: OptionName[],
): ParsedCommand {
  const split = splitOptions(op, rest, allowed);
  if (!split.ok) return split;
  if (split.args.length !== 1) return usage(`${op} takes exactly one NAME`);
  const [name] = split.args;
  if (!isLockName(name)) {
    return {
      ok: false,
      message: `invalid lock name ${JSON.stringify(name)}: use 1-128 characters of A-Z a-z 0-9 . _ : -`,
    };
  }
  return { ok: true, command: { op, name, ...split.options } };
}

export const TOP_MAX_LIMIT = 100;
const TOP_INTERVAL_MIN_MS = 200;
const TOP_INTERVAL_MAX_MS = 60_000;

/** `top [N] [--interval MS]`: how many locks (1-100) and how often to refresh. */
function parseTop(rest: readonly string[]): ParsedCommand {
  const words = [...rest];
  let intervalMs: number | undefined;
  const flag = words.findIndex((w) => w === '--interval' || w.startsWith('--interval='));
  if (flag >= 0) {
    const word = words.splice(flag, 1)[0] ?? '';
    const value = word.includes('=') ? word.slice(word.indexOf('=') + 1) : words.splice(flag, 1)[0];
    const ms = value === undefined ? null : parseMs(value, TOP_INTERVAL_MIN_MS, TOP_INTERVAL_MAX_MS);
    if (ms === null)
      return usage(
        `--interval must be a whole number of milliseconds from ${TOP_INTERVAL_MIN_MS} to ${TOP_INTERVAL_MAX_MS}`,
      );
    intervalMs = ms;
  }
  if (words.length > 1 || words.some((w) => w.startsWith('--')))
    return usage('top takes at most N and --interval MS');
  const [count] = words;
  const limit = count === undefined ? undefined : parseMs(count, 1, TOP_MAX_LIMIT);
  if (limit === null) return usage(`top N must be a whole number from 1 to ${TOP_MAX_LIMIT}`);
  return {
    ok: true,
    command: {
      op: 'top',
      ...(limit === undefined ? {} : { limit }),
      ...(intervalMs === undefined ? {} : { intervalMs }),
    },
  };
}

function parseSession(rest: readonly string[]): ParsedCommand {
  const [action, ...args] = rest;
  if (action === 'open') {
    const split = splitOptions('session open', args, ['ttl']);
    if (!split.ok) return split;
    if (split.args.length > 0) return usage('session open takes no arguments besides --ttl MS');
    return { ok: true, command: { op: 'session-open', ...split.options } };
  }
  if (action === 'close') {
    const split = splitOptions('session close', args, ['session']);
    if (!split.ok) return split;
    // The id may also come as the only argument: "session close ID".
    if (split.args.length > 1 || (split.args.length === 1 && split.options.sessionId !== undefined)) {
      return usage('session close takes at most one session ID');
    }
    const sessionId = split.options.sessionId ?? split.args[0];
    if (sessionId !== undefined && !isSessionId(sessionId)) return invalidSessionId(sessionId);
    return { ok: true, command: { op: 'session-close', ...(sessionId === undefined ? {} : { sessionId }) } };
  }
  return usage(
    action === undefined ? 'session needs "open" or "close"' : `unknown session action "${action}"`,
  );
}

type SplitOptions = { ok: true; args: string[]; options: CommandOptions } | { ok: false; message: string };

/** Takes `--wait MS`, `--ttl MS`, `--session ID` (or `--name=value`) out of the arguments. */
function splitOptions(
  command: string,
  rest: readonly string[],
  allowed: readonly OptionName[],
): SplitOptions {
  const args: string[] = [];
  const options: CommandOptions = {};
  const queue = [...rest];
  for (let word = queue.shift(); word !== undefined; word = queue.shift()) {
    if (!word.startsWith('--')) {
      args.push(word);
      continue;
    }
    const equals = word.indexOf('=');
    const flag = (equals < 0 ? word.slice(2) : word.slice(2, equals)) as OptionName;
    if (!allowed.includes(flag)) {
      const accepted = allowed.length === 0 ? 'no options' : allowed.map((name) => `--${name}`).join(', ');
      return usage(`${command} takes ${accepted}, not "${equals < 0 ? word : word.slice(0, equals)}"`);
    }
    const value = equals < 0 ? queue.shift() : word.slice(equals + 1);
    if (value === undefined || value === '') return usage(`--${flag} needs a value`);
    const problem = setOption(options, flag, value);
    if (problem !== null) return { ok: false, message: problem };
  }
  return { ok: true, args, options };
}

function setOption(options: CommandOptions, flag: OptionName, value: string): string | null {
  switch (flag) {
    case 'wait': {
      const ms = parseMs(value, 0, WAIT_MAX_MS);
      if (ms === null)
        return `--wait must be a whole number of milliseconds from 0 to ${WAIT_MAX_MS}, got "${value}"`;
      options.waitMs = ms;
      return null;
    }
    case 'ttl': {
      const ms = parseMs(value, TTL_MIN_MS, TTL_MAX_MS);
      if (ms === null)
        return `--ttl must be a whole number of milliseconds from ${TTL_MIN_MS} to ${TTL_MAX_MS}, got "${value}"`;
      options.ttlMs = ms;
      return null;
    }
    case 'session':
      if (!isSessionId(value)) return invalidSessionId(value).message;
      options.sessionId = value;
      return null;
  }
}

function parseMs(text: string, min: number, max: number): number | null {
  if (!/^\d+$/.test(text)) return null;
  const ms = Number(text);
  return ms >= min && ms <= max ? ms : null;
}

function invalidSessionId(value: string): { ok: false; message: string } {
  return {
    ok: false,
    message: `invalid session ID "${value}": expected the 32 lowercase hex characters "session open" printed`,
  };
}

function usage(problem: string): { ok: false; message: string } {
  return { ok: false, message: `${problem}; expected ${COMMAND_USAGE}` };
}
