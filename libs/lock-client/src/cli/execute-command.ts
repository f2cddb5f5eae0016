import type {
  CheckLockResponse,
  ClusterStatus,
  LockSummary,
  PreemptLockResponse,
  ReleaseLockResponse,
} from '@app/protocol';
import type { LockClient } from '../lock-client';
import { LockClientError } from '../lock-client-error';
import type { LockClientErrorCode } from '../lock-client-error';
import type { LockCommand } from './lock-command';

export type CommandResult =
  | { op: 'preempt'; response: PreemptLockResponse }
  | { op: 'release'; response: ReleaseLockResponse }
  | { op: 'check'; response: CheckLockResponse }
  | { op: 'list'; response: LockSummary[] }
  | { op: 'status'; response: ClusterStatus };

export interface CommandFailure {
  error: LockClientErrorCode | 'usage';
  message: string;
}

export type CommandOutcome = { ok: true; result: CommandResult } | { ok: false; failure: CommandFailure };

/** Runs one command; a LockClientError becomes a value, anything else is a bug and propagates. */
export async function executeCommand(client: LockClient, command: LockCommand): Promise<CommandOutcome> {
  try {
    return { ok: true, result: await dispatch(client, command) };
  } catch (err: unknown) {
    if (!(err instanceof LockClientError)) throw err;
    return { ok: false, failure: { error: err.code, message: err.message } };
  }
}

async function dispatch(client: LockClient, command: LockCommand): Promise<CommandResult> {
  switch (command.op) {
    case 'preempt':
      return { op: command.op, response: await client.preempt(command.name) };
    case 'release':
      return { op: command.op, response: await client.release(command.name) };
    case 'check':
      return { op: command.op, response: await client.check(command.name) };
    case 'list':
      return { op: command.op, response: await client.list(command.prefix) };
    case 'status':
      return { op: command.op, response: await client.clusterStatus() };
  }
}

/** A refusal is an answer, not an error, but a script still wants to tell it apart. */
export function isRefusal(result: CommandResult): boolean {
  if (result.op === 'preempt') return !result.response.acquired;
  if (result.op === 'release') return !result.response.released;
  return false;
}
