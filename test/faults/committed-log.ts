import type { CommittedChange } from '@app/history-checker';
import { LockStateMachine, type LockCommand } from '@app/lock-table';
import type { LogEntry } from '@app/replicated-log';
import { FileDurableStorage, listSegments } from '@app/wal';
import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export interface CommittedLog {
  /** the highest commit index any node has on disk */
  commitIndex: number;
  /** every lock change of the committed log, in index order */
  changes: CommittedChange[];
}

interface NodeLog {
  commitIndex: number;
  entries: LogEntry<LockCommand>[];
}

/** A node's log from a copy of its data directory (a running node's WAL may end in a torn record). */
async function readNodeLog(dataDir: string, copyTo: string): Promise<NodeLog | null> {
  if (!existsSync(dataDir) || (await listSegments(dataDir)).length === 0) return null;
  cpSync(dataDir, copyTo, { recursive: true });
  const opened = await FileDurableStorage.open<LockCommand>(copyTo, { logger: () => undefined }).catch(
    // A WAL that starts after a snapshot (compacted) does not hold the whole history.
    () => null,
  );
  if (opened === null) return null;
  await opened.storage.close();
  const { hardState, entries, snapshot } = opened.recovered;
  if ((snapshot?.index ?? 0) > 0 || entries[0]?.index !== 1) return null;
  return { commitIndex: hardState.commitIndex, entries };
}

/**
 * The committed log as the nodes' disks hold it, replayed through a fresh lock state
 * machine into lock changes, so that every plain check a node answered can be compared with
 * the state the committed log gives at the index the node said it had applied (reliability
 * 4.2: stale is allowed, wrong or uncommitted is not). Committed prefixes are equal on all
 * nodes; the node with the highest commit index on disk gives the longest one. Null when no
 * node holds the whole log from index 1 (after compaction), and the checker falls back to
 * comparing reads with acknowledged grants.
 */
export async function committedLog(
  dataDirs: readonly string[],
  scratchDir: string,
): Promise<CommittedLog | null> {
  const logs: NodeLog[] = [];
  for (const [i, dataDir] of dataDirs.entries()) {
    const log = await readNodeLog(dataDir, join(scratchDir, `committed-log-copy-${i}`));
    if (log !== null) logs.push(log);
  }
  const longest = logs.sort((a, b) => b.commitIndex - a.commitIndex)[0];
  if (longest === undefined) return null;
  const committed = longest.entries.filter((entry) => entry.index <= longest.commitIndex);
  const changes: CommittedChange[] = [];
  new LockStateMachine(0).apply(committed, ({ entry, events }) => {
    for (const event of events) {
      if (event.type === 'granted' || event.type === 'released' || event.type === 'expired') {
        const change = event.type === 'granted' ? 'grant' : event.type === 'released' ? 'release' : 'expire';
        changes.push({
          index: entry.index,
          key: event.name,
          change,
          owner: event.owner,
          token: event.fencingToken,
        });
      }
    }
  });
  return { commitIndex: longest.commitIndex, changes };
}
