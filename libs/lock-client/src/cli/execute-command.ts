import type {
  CheckLockResponse,
  CloseSessionResponse,
  ClusterStatus,
  LockActivityResponse,
  LockSummary,
  OpenSessionResponse,
  PreemptLockResponse,
  ReleaseLockResponse,
} from '@app/protocol';
import type { LockClient } from '../lock-client';
import { LockClientError } from '../lock-client-error';
import type { LockClientErrorCode } from '../lock-client-error';
import type { LockSession } from '../lock-session';
import type { LockCommand } from './lock-command';

export type CommandResult =
  | { op: 'preempt'; response: PreemptLockResponse }
  | { op: 'release'; response: ReleaseLockResponse }
  | { op: 'check'; response: CheckLockResponse }
  | { op: 'list'; response: LockSummary[] }
  | { op: 'status'; response: ClusterStatus }
  | { op: 'top'; response: LockActivityResponse }
  /** The session keeps itself alive until closed, lost, or the LockClient closes. */
  | { op: 'session-open'; response: OpenSessionResponse; session: LockSession }
  | { op: 'session-close'; response: CloseSessionResponse };

/** The commands answered by one request; `watch` is a stream and runs elsewhere. */
export type RequestCommand = Exclude<LockCommand, { op: 'watch' }>;

export interface CommandFailure {
  error: LockClientErrorCode | 'usage';
  message: string;
}

export type CommandOutcome = { ok: true; result: CommandResult } | { ok: false; failure: CommandFailure };

/** The prompt's open session: preempt and release use it unless given --session. */
export interface CommandContext {
  session?: LockSession | null;
}

/** Runs one command; a LockClientError becomes a value, anything else is a bug and propagates. */
export async function executeCommand(
  client: LockClient,
  command: RequestCommand,
  context: CommandContext = {},
): Promise<CommandOutcome> {
  try {
    return { ok: true, result: await dispatch(client, command, context.session ?? null) };
  } catch (err: unknown) {
    if (err instanceof UsageError) return { ok: false, failure: { error: 'usage', message: err.message } };
    if (!(err instanceof LockClientError)) throw err;
    return { ok: false, failure: { error: err.code, message: err.message } };
  }
}

class UsageError extends Error {}

async function dispatch(
  client: LockClient,
  command: RequestCommand,
  session: LockSession | null,
): Promise<CommandResult> {
  switch (command.op) {
    case 'preempt': {
      const { name, waitMs, ttlMs } = command;
      const sessionId = command.sessionId ?? session?.sessionId;
      return { op: command.op, response: await client.preempt(name, { waitMs, ttlMs, sessionId }) };
    }
    case 'release': {
      const sessionId = command.sessionId ?? session?.sessionId;
      return { op: command.op, response: await client.release(command.name, { sessionId }) };
    }
    case 'check':
      return { op: command.op, response: await client.check(command.name) };
    case 'list':
      return { op: command.op, response: await client.list(command.prefix) };
    case 'status':
      return { op: command.op, response: await client.clusterStatus() };
    case 'top':
      return { op: command.op, response: await client.lockActivity(command.limit) };
    case 'session-open': {
      if (session !== null)
        throw new UsageError(`session ${session.shortId} is open already; "session close" it first`);
      const opened = await client.openSession({ ttlMs: command.ttlMs });
      const response = { sessionId: opened.sessionId, clientId: opened.clientId, ttlMs: opened.ttlMs };
      return { op: command.op, response, session: opened };
    }
    case 'session-close': {
      if (command.sessionId !== undefined && command.sessionId !== session?.sessionId) {
        return { op: command.op, response: await client.closeSession(command.sessionId) };
      }
      if (session === null)
        throw new UsageError('no session is open here; give the ID: session close --session ID');
      await session.close();
      return { op: command.op, response: { sessionId: session.sessionId, closed: true } };
    }
  }
}

/** A refusal is an answer, not an error, but a script still wants to tell it apart. */
export function isRefusal(result: CommandResult): boolean {
  if (result.op === 'preempt') return !result.response.acquired;
  if (result.op === 'release') return !result.response.released;
  return false;
}
