import type {
  CheckLockResponse,
  LockSummary,
  LockWatchEvent,
  PreemptLockResponse,
  ReleaseLockResponse,
} from '@app/protocol';
import type { CommandResult } from './execute-command';
import { formatStatusTable, formatTop } from './format-top';

/** Human-friendly text of a result; `clientId` lets it say "you" for this client's locks. */
export function formatResult(result: CommandResult, clientId: string): string {
  const who = (owner: string | null | undefined) => (owner === clientId ? 'you' : (owner ?? 'nobody'));
  switch (result.op) {
    case 'preempt':
      return formatPreempt(result.response, who);
    case 'release':
      return formatRelease(result.response, who);
    case 'check':
      return formatCheck(result.response, who);
    case 'list':
      return formatList(result.response, who);
    case 'status':
      return formatStatusTable(result.response);
    case 'top':
      return formatTop(result.response, clientId);
    case 'session-open': {
      const { sessionId, ttlMs } = result.response;
      // The only time the prompt shows the whole id: it is the secret that owns the locks.
      return (
        `opened session ${sessionId} (ttl ${ttlMs} ms, kept alive every ${result.session.keepAliveIntervalMs} ms); ` +
        `preempt and release use it until "session close"`
      );
    }
    case 'session-close':
      return `closed session ${shortSessionId(result.response.sessionId)}; its locks are released`;
  }
}

/** The start of a session id, safe to show: the whole id is a secret. */
export function shortSessionId(sessionId: string): string {
  return `${sessionId.slice(0, 4)}…`;
}

/** One line per watch event, e.g. "granted build-lock to you (token 42, index 42)". */
export function formatWatchEvent(event: LockWatchEvent, clientId: string): string {
  const who = event.owner === clientId ? 'you' : event.owner;
  const where = `(token ${event.fencingToken}, index ${event.index})`;
  switch (event.type) {
    case 'granted':
      return `granted ${event.name} to ${who} ${where}`;
    case 'released':
      return `released ${event.name} by ${who} ${where}`;
    case 'expired':
      return `expired ${event.name} held by ${who} ${where}`;
  }
}

type Who = (owner: string | null | undefined) => string;

function formatPreempt(r: PreemptLockResponse, who: Who): string {
  if (r.acquired) return `acquired ${r.name} (fencing token ${r.fencingToken})`;
  // A waiting preempt that timed out just as the lock was freed finds no holder.
  if (r.owner === null) return `not acquired: ${r.name} was not granted in time (it is free now)`;
  return `not acquired: ${r.name} is held by ${who(r.owner)} (token ${r.fencingToken})`;
}

function formatRelease(r: ReleaseLockResponse, who: Who): string {
  if (r.released) return `released ${r.name}`;
  if (r.reason === 'not_owner') return `not owner: ${r.name} is held by ${who(r.owner)}`;
  return `not held: ${r.name} is free`;
}

function formatCheck(r: CheckLockResponse, who: Who): string {
  const servedBy = `served by ${r.servedBy} at index ${r.appliedIndex}`;
  if (r.owner === null) return `${r.name} is free (${servedBy})`;
  const waiting = r.waiters > 0 ? `, ${r.waiters} waiting` : '';
  return `${r.name} is held by ${who(r.owner)} (token ${r.fencingToken}${waiting}, ${servedBy})`;
}

function formatList(locks: LockSummary[], who: Who): string {
  if (locks.length === 0) return 'no locks held';
  return locks.map((l) => `${l.name}  held by ${who(l.owner)}  (token ${l.fencingToken})`).join('\n');
}
