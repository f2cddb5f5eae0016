import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import type { LogIndex, SnapshotMeta } from '@app/replicated-log';
import { decodeSnapshot, encodeSnapshot, type SnapshotContent } from './snapshot-file';

const SNAPSHOT_NAME = /^snapshot-(\d{20})-(\d+)\.snap$/;
/** The last two are kept: a damaged latest one falls back to the one before. */
const KEEP = 2;

export interface StoredSnapshot {
  meta: Pick<SnapshotMeta, 'index' | 'term'>;
  path: string;
  bytes: number;
}

export function snapshotFileName(index: LogIndex, term: number): string {
  return `snapshot-${String(index).padStart(20, '0')}-${term}.snap`;
}

/**
 * The snapshots in a data directory. Each is written whole to a temporary file, fsync'd,
 * renamed into place and the directory fsync'd, so a crash leaves either the old set or
 * the new one; the last two are kept.
 */
export class SnapshotStore {
  /** test-only: a pause inside every write and every received chunk, to crash a node in it */
  unsafeDelayMs = 0;

  private constructor(
    readonly dataDir: string,
    private snapshots: StoredSnapshot[],
    private readonly logger: (message: string) => void,
  ) {}

  /**
   * Opens the store and loads the newest snapshot that is intact. A damaged one is set
   * aside (renamed `.corrupt`) with a log line, and the one before it is tried.
   */
  static async open(
    dataDir: string,
    logger: (message: string) => void,
  ): Promise<{ store: SnapshotStore; latest: SnapshotContent | null }> {
    await fs.mkdir(dataDir, { recursive: true });
    for (const name of await fs.readdir(dataDir))
      if (name.endsWith('.snap.tmp')) await fs.rm(nodePath.join(dataDir, name), { force: true });
    const store = new SnapshotStore(dataDir, await listSnapshots(dataDir), logger);
    return { store, latest: await store.loadNewestIntact() };
  }

  /** Newest first. */
  get all(): readonly StoredSnapshot[] {
    return this.snapshots;
  }

  get latest(): StoredSnapshot | null {
    return this.snapshots[0] ?? null;
  }

  /** Writes a snapshot durably and drops all but the newest two. */
  async write(meta: SnapshotMeta, state: unknown): Promise<StoredSnapshot> {
    const data = encodeSnapshot(meta, state);
    const path = nodePath.join(this.dataDir, snapshotFileName(meta.index, meta.term));
    const temporary = `${path}.tmp`;
    const handle = await fs.open(temporary, 'w');
    try {
      await handle.writeFile(data);
      if (this.unsafeDelayMs > 0) await pause(this.unsafeDelayMs);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return this.adopt(temporary, { index: meta.index, term: meta.term }, data.length);
  }

  /** Renames a complete, fsync'd file into place as the snapshot `meta`, then prunes. */
  async adopt(temporary: string, meta: StoredSnapshot['meta'], bytes: number): Promise<StoredSnapshot> {
    const path = nodePath.join(this.dataDir, snapshotFileName(meta.index, meta.term));
    await fs.rename(temporary, path);
    await this.syncDirectory();
    const stored: StoredSnapshot = { meta, path, bytes };
    this.snapshots = [stored, ...this.snapshots.filter((s) => s.path !== path)].sort(
      (a, b) => b.meta.index - a.meta.index,
    );
    await this.keepNewest(KEEP);
    return stored;
  }

  /** Drops every snapshot but the newest `count` (an installed snapshot makes older ones useless). */
  async keepNewest(count: number): Promise<void> {
    const dropped = this.snapshots.slice(count);
    if (dropped.length === 0) return;
    this.snapshots = this.snapshots.slice(0, count);
    for (const snapshot of dropped) await fs.rm(snapshot.path, { force: true });
    await this.syncDirectory();
  }

  private async loadNewestIntact(): Promise<SnapshotContent | null> {
    for (const snapshot of [...this.snapshots]) {
      const content = decodeSnapshot(await fs.readFile(snapshot.path));
      const reason =
        typeof content === 'string'
          ? content
          : content.meta.index !== snapshot.meta.index || content.meta.term !== snapshot.meta.term
            ? `it holds index ${content.meta.index} term ${content.meta.term}, not what its name says`
            : null;
      if (reason === null && typeof content !== 'string') return content;
      this.logger(
        `snapshot ${snapshot.path} is corrupt (${reason}); set aside as .corrupt, falling back to the previous snapshot`,
      );
      await fs.rename(snapshot.path, `${snapshot.path}.corrupt`);
      this.snapshots = this.snapshots.filter((s) => s !== snapshot);
    }
    return null;
  }

  private async syncDirectory(): Promise<void> {
    const handle = await fs.open(this.dataDir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}

async function listSnapshots(dataDir: string): Promise<StoredSnapshot[]> {
  const found: StoredSnapshot[] = [];
  for (const name of await fs.readdir(dataDir)) {
    const match = SNAPSHOT_NAME.exec(name);
    if (!match) continue;
    const path = nodePath.join(dataDir, name);
    const { size } = await fs.stat(path);
    found.push({ meta: { index: Number(match[1]), term: Number(match[2]) }, path, bytes: size });
  }
  return found.sort((a, b) => b.meta.index - a.meta.index);
}

/** Only for `unsafeDelayMs`. */
export function pause(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}
