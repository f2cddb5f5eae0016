import type { CheckLockResponse, ClusterStatus, LockSummary, PreemptLockResponse, ReleaseLockResponse } from '@app/protocol';
import type { CommandResult } from './execute-command';

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
      return formatStatus(result.response);
  }
}

type Who = (owner: string | null | undefined) => string;

function formatPreempt(r: PreemptLockResponse, who: Who): string {
  if (r.acquired) return `acquired ${r.name} (fencing token ${r.fencingToken})`;
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
  return `${r.name} is held by ${who(r.owner)} (token ${r.fencingToken}, ${servedBy})`;
}

function formatList(locks: LockSummary[], who: Who): string {
  if (locks.length === 0) return 'no locks held';
  return locks.map((l) => `${l.name}  held by ${who(l.owner)}  (token ${l.fencingToken})`).join('\n');
}

function formatStatus(s: ClusterStatus): string {
  const head =
    `node ${s.id}: ${s.role}, term ${s.term}, leader ${s.leaderId ?? 'unknown'}, ` +
    `commit ${s.commitIndex}, applied ${s.appliedIndex}, last ${s.lastIndex}`;
  const members = s.members.map(
    (m) =>
      `  ${m.id}  ${m.role}  tcp ${m.tcpAddress}  http ${m.httpAddress}` +
      `  match ${m.matchIndex ?? '-'}  lag ${m.lag ?? '-'}`,
  );
  return [head, ...members].join('\n');
}
