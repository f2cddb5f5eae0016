/**
 * A plain (not linearizable) check, answered from one node's applied state. By contract it
 * is stale but never wrong: the state of some committed index, never going back per node
 * incarnation (like ZooKeeper reads or etcd's serializable reads).
 */
export interface FollowerRead {
  id: string;
  key: string;
  /** the node that answered, with its incarnation if it restarted (e.g. "n2#3") */
  node: string;
  owner: string | null;
  token: number | null;
  appliedIndex: number;
  call: number;
  ret: number;
}

/** A change of one lock in the committed log, at its log index. */
export interface CommittedChange {
  index: number;
  key: string;
  change: 'grant' | 'release' | 'expire';
  owner: string;
  /** the grant's fencing token (its index) */
  token: number;
}

export interface LockView {
  owner: string | null;
  token: number | null;
}

/** The state of `key` after applying the committed log up to `index` (changes in index order). */
export function replayTo(log: readonly CommittedChange[], key: string, index: number): LockView {
  let view: LockView = { owner: null, token: null };
  for (const entry of log) {
    if (entry.index > index) break;
    if (entry.key !== key) continue;
    view =
      entry.change === 'grant' ? { owner: entry.owner, token: entry.token } : { owner: null, token: null };
  }
  return view;
}

function sameOwner(a: LockView, b: LockView): boolean {
  return a.owner === b.owner && (a.owner === null || a.token === b.token);
}

/**
 * Each read against the committed log: its index is committed (a node never serves an
 * uncommitted or truncated entry) and the state it shows is the log's state at that index.
 * `committedIndex` is the final commit index; `log` holds the lock changes, sorted by index.
 */
export function followerReadsAgainstLog(
  reads: readonly FollowerRead[],
  log: readonly CommittedChange[],
  committedIndex: number,
): string[] {
  const violations: string[] = [];
  for (const read of reads) {
    if (read.appliedIndex > committedIndex) {
      violations.push(
        `${read.id}: ${read.node} served index ${read.appliedIndex}, beyond the committed ${committedIndex}`,
      );
      continue;
    }
    const expected = replayTo(log, read.key, read.appliedIndex);
    if (!sameOwner(read, expected)) {
      violations.push(
        `${read.id}: ${read.node} showed ${show(read)} at index ${read.appliedIndex}, the log says ${show(expected)}`,
      );
    }
  }
  return violations.concat(monotonicReads(reads));
}

/**
 * Without the server's log: reads never go back per node incarnation (a read that started
 * after another ended shows an index at least as large), and a held lock's token is a grant
 * index, so it is at most the applied index and, when the grant was acknowledged to some
 * client, names that client.
 */
export function followerReadsAgainstGrants(
  reads: readonly FollowerRead[],
  grants: readonly { key: string; client: string; token: number }[],
): string[] {
  const owners = new Map(grants.map((g) => [`${g.key}@${g.token}`, g.client]));
  const violations: string[] = [];
  for (const read of reads) {
    if (read.owner === null || read.token === null) continue;
    if (read.token > read.appliedIndex) {
      violations.push(`${read.id}: token ${read.token} is beyond the applied index ${read.appliedIndex}`);
    }
    const granted = owners.get(`${read.key}@${read.token}`);
    if (granted !== undefined && granted !== read.owner) {
      violations.push(
        `${read.id}: ${read.node} showed ${show(read)}, but token ${read.token} went to ${granted}`,
      );
    }
  }
  return violations.concat(monotonicReads(reads));
}

/** Per node incarnation, a read that began after another returned never shows an older index. */
export function monotonicReads(reads: readonly FollowerRead[]): string[] {
  const violations: string[] = [];
  const byNode = new Map<string, FollowerRead[]>();
  for (const read of reads) byNode.set(read.node, [...(byNode.get(read.node) ?? []), read]);
  for (const [node, list] of byNode) {
    const byReturn = [...list].sort((a, b) => a.ret - b.ret);
    let highest: FollowerRead | null = null;
    let cursor = 0;
    for (const read of [...list].sort((a, b) => a.call - b.call)) {
      // highest = the largest index among reads that returned before this one was called
      for (
        let done = byReturn[cursor];
        done !== undefined && done.ret < read.call;
        done = byReturn[++cursor]
      ) {
        if (highest === null || done.appliedIndex > highest.appliedIndex) highest = done;
      }
      if (highest !== null && read.appliedIndex < highest.appliedIndex) {
        violations.push(
          `${read.id}: ${node} went back from index ${highest.appliedIndex} (${highest.id}) to ${read.appliedIndex}`,
        );
      }
    }
  }
  return violations;
}

function show(view: LockView): string {
  return view.owner === null ? 'free' : `${view.owner}@${String(view.token)}`;
}
