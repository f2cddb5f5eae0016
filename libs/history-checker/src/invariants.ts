import type { LockOperation, PreemptOperation } from './operation';

interface AckedGrant {
  op: PreemptOperation;
  token: number;
}

function ackedGrants(ops: readonly LockOperation[]): AckedGrant[] {
  const grants: AckedGrant[] = [];
  for (const op of ops) {
    if (op.kind === 'preempt' && op.outcome.type === 'granted') grants.push({ op, token: op.outcome.token });
  }
  return grants;
}

/**
 * Fencing tokens strictly increase per lock: no two clients are ever given the same
 * (lock, token), and a grant asked for after another was acknowledged has a larger token.
 * (The same client may be answered the same grant again: preempt is re-entrant.)
 */
export function tokenViolations(ops: readonly LockOperation[]): string[] {
  const violations: string[] = [];
  const byKey = new Map<string, AckedGrant[]>();
  for (const g of ackedGrants(ops)) byKey.set(g.op.key, [...(byKey.get(g.op.key) ?? []), g]);
  for (const [key, grants] of byKey) {
    const holder = new Map<number, string>();
    for (const g of grants) {
      const other = holder.get(g.token);
      if (other !== undefined && other !== g.op.client) {
        violations.push(`${key}: token ${g.token} granted to both ${other} and ${g.op.client} (${g.op.id})`);
      }
      holder.set(g.token, g.op.client);
    }
    const byCall = [...grants].sort((a, b) => a.op.call - b.op.call);
    const byRet = [...grants].sort((a, b) => a.op.ret - b.op.ret);
    let cursor = 0;
    let highest: AckedGrant | null = null;
    for (const g of byCall) {
      for (
        let acked = byRet[cursor];
        acked !== undefined && acked.op.ret < g.op.call;
        acked = byRet[++cursor]
      ) {
        if (highest === null || acked.token > highest.token) highest = acked;
      }
      if (highest !== null && g.token < highest.token) {
        violations.push(
          `${key}: token went back from ${highest.token} (${highest.op.id}) to ${g.token} (${g.op.id})`,
        );
      }
    }
  }
  return violations;
}

export interface FinalLockState {
  key: string;
  owner: string | null;
  token: number | null;
}

/**
 * No acknowledged change is lost, seen from the final (healed, converged) state of each
 * lock: its token is at least every acknowledged grant's; the holder of the largest
 * acknowledged grant still holds it unless it sent a release (or an expiry was logged)
 * afterwards; a client whose release was acknowledged, and who asked for nothing since,
 * does not hold the lock.
 */
export function lostChangeViolations(
  ops: readonly LockOperation[],
  finals: readonly FinalLockState[],
): string[] {
  const violations: string[] = [];
  for (const final of finals) {
    const mine = ops.filter((op) => op.key === final.key);
    const grants = ackedGrants(mine).sort((a, b) => b.token - a.token);
    const top = grants[0];
    if (top === undefined) continue;
    const shown = final.owner === null ? 'free' : `${final.owner}@${String(final.token)}`;
    if ((final.token ?? 0) < top.token && final.owner !== null) {
      violations.push(
        `${final.key}: final ${shown} is older than acknowledged grant ${top.token} (${top.op.id})`,
      );
    }
    const letGo = mine.some(
      (op) =>
        (op.kind === 'release' || op.kind === 'expire') &&
        op.client === top.op.client &&
        op.ret >= top.op.call,
    );
    const later = mine.some(
      (op) => op.kind === 'preempt' && op.outcome.type !== 'held' && op.call > top.op.ret,
    );
    if (!letGo && !later && (final.owner !== top.op.client || final.token !== top.token)) {
      violations.push(
        `${final.key}: acknowledged grant ${top.token} to ${top.op.client} (${top.op.id}) lost: final ${shown}`,
      );
    }
    for (const op of mine) {
      if (op.kind !== 'release' || op.outcome.type !== 'released' || final.owner !== op.client) continue;
      const since = mine.some((o) => o.kind === 'preempt' && o.client === op.client && o.ret >= op.call);
      if (!since)
        violations.push(`${final.key}: acknowledged release ${op.id} lost: ${op.client} still holds it`);
    }
  }
  return violations;
}

/** What one node said about itself at one moment (from GET /cluster or its log). */
export interface RoleObservation {
  node: string;
  term: number;
  role: string;
}

/** At most one leader per term (Raft's Election Safety, section 5.2). */
export function leaderViolations(observations: readonly RoleObservation[]): string[] {
  const leaders = new Map<number, Set<string>>();
  for (const o of observations) {
    if (o.role !== 'leader') continue;
    leaders.set(o.term, (leaders.get(o.term) ?? new Set()).add(o.node));
  }
  return [...leaders]
    .filter(([, nodes]) => nodes.size > 1)
    .map(([term, nodes]) => `term ${term} had ${nodes.size} leaders: ${[...nodes].join(', ')}`);
}

/** One node's committed log, as (index, term) pairs with an optional digest of each entry. */
export interface CommittedLog {
  node: string;
  entries: readonly { index: number; term: number; digest?: string }[];
}

/** Committed prefixes are equal on all nodes (Log Matching and State Machine Safety, section 5.4). */
export function prefixViolations(logs: readonly CommittedLog[]): string[] {
  const violations: string[] = [];
  const reference = new Map<number, { node: string; term: number; digest?: string }>();
  for (const log of logs) {
    for (const e of log.entries) {
      const seen = reference.get(e.index);
      if (seen === undefined) reference.set(e.index, { node: log.node, term: e.term, digest: e.digest });
      else if (seen.term !== e.term || seen.digest !== e.digest) {
        violations.push(
          `index ${e.index}: ${seen.node} has term ${seen.term}, ${log.node} has term ${e.term}`,
        );
      }
    }
  }
  return violations;
}

/** After the heal every node reports the same applied index and the same locks. */
export interface NodeSnapshot {
  node: string;
  appliedIndex: number;
  /** a canonical text of the node's lock table, e.g. its sorted `GET /locks` */
  locks: string;
}

export function convergenceViolations(snapshots: readonly NodeSnapshot[]): string[] {
  const [first, ...rest] = snapshots;
  if (first === undefined) return [];
  return rest
    .filter((s) => s.appliedIndex !== first.appliedIndex || s.locks !== first.locks)
    .map(
      (s) => `${s.node} (index ${s.appliedIndex}) differs from ${first.node} (index ${first.appliedIndex})`,
    );
}
