import type { ClusterStatus, LockActivityResponse } from '@app/protocol';
import { humanDuration, textTable } from './text-table';

/** The snapshot fields a node may report once it takes snapshots; absent until then. */
type WithSnapshot = ClusterStatus & { snapshotIndex?: number; snapshotTerm?: number };

/** `status`: the node's view, its log figures, and the members as a table. */
export function formatStatusTable(status: ClusterStatus): string {
  const s = status as WithSnapshot;
  const head =
    `node ${s.id}: ${s.role}, term ${s.term}, leader ${s.leaderId ?? 'unknown'}\n` +
    `cluster ${s.clusterId ?? 'unknown (not joined yet)'}` +
    (s.peerAuthentication === 'none' ? ', peer traffic UNAUTHENTICATED (no cluster secret)' : '');
  const log =
    `log: last index ${s.lastIndex}, commit ${s.commitIndex}, applied ${s.appliedIndex}` +
    (s.snapshotIndex === undefined
      ? ''
      : `; snapshot at index ${s.snapshotIndex}${s.snapshotTerm === undefined ? '' : ` (term ${s.snapshotTerm})`}`) +
    (s.firstLogIndex === undefined ? '' : `; first log index ${s.firstLogIndex}`) +
    (s.walBytes === undefined ? '' : `; WAL ${walSize(s.walBytes)}`);
  const rows = s.members.map((m) => [
    m.id === s.id ? `${m.id}*` : m.id,
    m.role,
    m.tcpAddress,
    m.httpAddress,
    m.matchIndex === null ? '-' : String(m.matchIndex),
    m.lag === null ? '-' : String(m.lag),
  ]);
  const table = textTable(['NODE', 'ROLE', 'TCP', 'HTTP', 'MATCH', 'LAG'], rows, new Set([4, 5]));
  const note = s.role === 'leader' ? '' : '\n(match and lag are known only on the leader; * is this node)';
  return `${head}\n${log}\n${table}${note}`;
}

/** Bytes as KiB or MiB, one decimal. */
function walSize(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** One frame of `top`: the counts, then the busiest locks with holder, hold and wait times. */
export function formatTop(r: LockActivityResponse, clientId: string): string {
  const who = (owner: string | null) =>
    owner === null ? '-' : owner === clientId ? 'you' : owner.slice(0, 8);
  const head =
    `${r.servedBy} (${r.role}, term ${r.term}, leader ${r.leaderId ?? 'unknown'})  ` +
    `commit ${r.commitIndex}  applied ${r.appliedIndex}  |  held ${r.held}  waiting ${r.waiters}  sessions ${r.sessions}`;
  if (r.busiest.length === 0) return `${head}\n\nno lock has been granted since ${r.servedBy} started`;
  const rows = r.busiest.map((l) => [
    l.name,
    String(l.grants),
    who(l.owner),
    l.fencingToken === null ? '-' : String(l.fencingToken),
    l.grantedAtMs === null ? '-' : humanDuration(r.nowMs - l.grantedAtMs),
    String(l.waiting),
    l.holds ? humanDuration(l.holdMsTotal / l.holds) : '-',
    l.holds ? humanDuration(l.holdMsMax) : '-',
    l.waits ? humanDuration(l.waitMsTotal / l.waits) : '-',
    l.waits ? humanDuration(l.waitMsMax) : '-',
  ]);
  const table = textTable(
    [
      'LOCK',
      'GRANTS',
      'HOLDER',
      'TOKEN',
      'HELD FOR',
      'WAITING',
      'HOLD AVG',
      'HOLD MAX',
      'WAIT AVG',
      'WAIT MAX',
    ],
    rows,
    new Set([1, 3, 4, 5, 6, 7, 8, 9]),
  );
  return `${head}\n\n${table}`;
}
