import type { NodeSnapshot, RoleObservation } from '@app/history-checker';
import { performance } from 'node:perf_hooks';

interface ClusterView {
  id: string;
  role: string;
  term: number;
  appliedIndex: number;
  commitIndex: number;
}

async function getJson<T>(url: string, timeoutMs: number): Promise<T | null> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) }).catch(() => null);
  if (res === null || res.status !== 200) return null;
  return (await res.json()) as T;
}

/** What every reachable node says of itself now (nodes that do not answer are left out). */
export async function observeRoles(servers: string[], timeoutMs: number): Promise<RoleObservation[]> {
  const views = await Promise.all(servers.map((s) => getJson<ClusterView>(`http://${s}/cluster`, timeoutMs)));
  return views.flatMap((v) => (v === null ? [] : [{ node: v.id, term: v.term, role: v.role }]));
}

async function snapshot(server: string, timeoutMs: number): Promise<NodeSnapshot | null> {
  const view = await getJson<ClusterView>(`http://${server}/cluster`, timeoutMs);
  const locks = await getJson<unknown[]>(`http://${server}/locks`, timeoutMs);
  if (view === null || locks === null) return null;
  return { node: view.id, appliedIndex: view.appliedIndex, locks: JSON.stringify(locks) };
}

/**
 * Polls every node until all answer with the same applied index and the same locks, or the
 * deadline passes; returns the last snapshots either way (the checker judges them) and
 * whether every server answered.
 */
export async function awaitConvergence(
  servers: string[],
  deadlineMs: number,
  timeoutMs: number,
): Promise<{ snapshots: NodeSnapshot[]; converged: boolean }> {
  const until = performance.now() + deadlineMs;
  for (;;) {
    const taken = await Promise.all(servers.map((s) => snapshot(s, timeoutMs)));
    const snapshots = taken.filter((s): s is NodeSnapshot => s !== null);
    const first = snapshots[0];
    const agreed =
      first === undefined ||
      snapshots.every((s) => s.appliedIndex === first.appliedIndex && s.locks === first.locks);
    if (snapshots.length === servers.length && agreed) return { snapshots, converged: true };
    if (performance.now() > until) return { snapshots, converged: false };
    await new Promise((done) => setTimeout(done, 200));
  }
}
