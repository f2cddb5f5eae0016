import { isLockName } from '@app/protocol';

/** One lock-service operation as typed on the command line or at the prompt. */
export type LockCommand =
  | { op: 'preempt' | 'release' | 'check'; name: string }
  | { op: 'list'; prefix?: string }
  | { op: 'status' };

export type ParsedCommand = { ok: true; command: LockCommand } | { ok: false; message: string };

export const COMMAND_USAGE = 'preempt NAME | release NAME | check NAME | list [PREFIX] | status';

/** Parses `words` (command first) and validates lock names before anything is sent. */
export function parseLockCommand(words: readonly string[]): ParsedCommand {
  const [op, ...args] = words;
  switch (op) {
    case 'preempt':
    case 'release':
    case 'check':
      return parseNamed(op, args);
    case 'list':
      if (args.length > 1) return usage(`list takes at most one PREFIX`);
      return { ok: true, command: { op, prefix: args[0] } };
    case 'status':
      if (args.length > 0) return usage('status takes no arguments');
      return { ok: true, command: { op } };
    default:
      return usage(op === undefined ? 'missing command' : `unknown command "${op}"`);
  }
}

function parseNamed(op: 'preempt' | 'release' | 'check', args: readonly string[]): ParsedCommand {
  if (args.length !== 1) return usage(`${op} takes exactly one NAME`);
  const [name] = args;
  if (!isLockName(name)) {
    return {
      ok: false,
      message: `invalid lock name ${JSON.stringify(name)}: use 1-128 characters of A-Z a-z 0-9 . _ : -`,
    };
  }
  return { ok: true, command: { op, name } };
}

function usage(problem: string): ParsedCommand {
  return { ok: false, message: `${problem}; expected ${COMMAND_USAGE}` };
}
