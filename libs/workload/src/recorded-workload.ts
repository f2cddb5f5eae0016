import type { HistoryRecord } from '@app/history-checker';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { performLockCall } from './http-lock-call';
import type { LockCall } from './http-lock-call';
import { SeededRandom } from './seeded-random';
import { elementAt } from './element-at';

export interface WorkloadOptions {
  /** HTTP host:port of every node */
  servers: string[];
  /** stop starting new operations after this long */
  durationMs: number;
  /** concurrent clients; client i sends to server i mod n, the last two to any server */
  clients: number;
  /** lock names used (a few, so that clients contend) */
  keys: string[];
  requestTimeoutMs: number;
  seed: number;
  /** called with every finished operation (e.g. to append it to the history file) */
  onRecord?: (record: HistoryRecord) => void;
  /** a second condition to stop early (e.g. the nemesis is done) */
  stopWhen?: () => boolean;
}

/** Operation mix in percent: preempt 40, release 30, linearizable check 15, plain check 15. */
function nextCall(rng: SeededRandom, client: string, key: string, node: string, opId: string): LockCall {
  const roll = rng.below(100);
  if (roll < 40) return { opId, client, key, node, f: 'preempt' };
  if (roll < 70) return { opId, client, key, node, f: 'release' };
  return { opId, client, key, node, f: 'check', linearizable: roll < 85 };
}

function releaseOf(client: string, key: string, node: string, opId: string): LockCall {
  return { opId, client, key, node, f: 'release' };
}

/**
 * Runs clients that each keep at most one operation outstanding (so a client's own
 * operations never overlap), and returns every operation with its times. Deterministic in
 * its choices for a seed; the timing, of course, is not.
 */
export async function runRecordedWorkload(options: WorkloadOptions): Promise<HistoryRecord[]> {
  const records: HistoryRecord[] = [];
  const deadline = performance.now() + options.durationMs;
  const stop = () => performance.now() >= deadline || (options.stopWhen?.() ?? false);
  const workers = Array.from({ length: options.clients }, async (_, i) => {
    const rng = new SeededRandom(options.seed * 1000 + i + 1);
    const client = randomUUID();
    const pinned = i < options.clients - 2 || options.clients <= 2;
    const held = new Set<string>();
    let n = 0;
    while (!stop()) {
      const node = pinned
        ? elementAt(options.servers, i % options.servers.length, 'server')
        : rng.pick(options.servers);
      // A client that holds a lock lets it go soon, so that locks change hands often.
      const key = held.size > 0 && rng.below(2) === 0 ? rng.pick([...held]) : rng.pick(options.keys);
      const call =
        held.has(key) && rng.below(3) > 0
          ? releaseOf(client, key, node, `c${i}-${++n}`)
          : nextCall(rng, client, key, node, `c${i}-${++n}`);
      const record = await performLockCall(call, options.requestTimeoutMs);
      if (record.type === 'ok' && record.result?.acquired === true) held.add(key);
      if (call.f === 'release' && record.type !== 'info') held.delete(key);
      // Back off after a failure, as a real client would, instead of spinning on a dead node.
      if (record.type !== 'ok') await new Promise((done) => setTimeout(done, 100 + rng.below(200)));
      records.push(record);
      options.onRecord?.(record);
    }
  });
  await Promise.all(workers);
  return records;
}

/** One linearizable check of every key, in turn, through whichever node answers: the state after the run. */
export async function finalReads(
  servers: string[],
  keys: string[],
  requestTimeoutMs: number,
  attempts = 20,
): Promise<HistoryRecord[]> {
  const records: HistoryRecord[] = [];
  for (const key of keys) {
    for (let attempt = 0; attempt < attempts; attempt++) {
      const node = elementAt(servers, attempt % servers.length, 'server');
      const call: LockCall = {
        opId: `final-${key}-${attempt}`,
        client: 'final',
        key,
        node,
        f: 'check',
        linearizable: true,
      };
      const record = await performLockCall(call, requestTimeoutMs);
      records.push(record);
      if (record.type === 'ok') break;
      await new Promise((done) => setTimeout(done, 250));
    }
  }
  return records;
}
