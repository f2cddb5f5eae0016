import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import type { SnapshotMeta } from '@app/replicated-log';
import { decodeSnapshot, type SnapshotContent } from './snapshot-file';
import { pause, type SnapshotStore } from './snapshot-store';

/** One chunk of a snapshot file on its way from the leader. */
export interface SnapshotChunk {
  meta: SnapshotMeta;
  totalBytes: number;
  offset: number;
  data: Buffer;
}

/** `nextOffset`: where the sender should go on (it resumes there after a dropped connection). */
export type ChunkAnswer =
  { nextOffset: number; done: false } | { nextOffset: number; done: true; content: SnapshotContent };

/**
 * Receives a snapshot in chunks (thesis 5.3) into `incoming-<index>-<term>.part`. A chunk
 * at the wrong offset is answered with the offset wanted, so a transfer cut off resumes
 * where it stopped, even across a restart of this node. The last chunk completes the
 * file: fsync, checksum verified, renamed into place. A file that fails the check is
 * discarded and the transfer starts over.
 */
export class SnapshotReceiver {
  private part: { key: string; path: string; bytes: number } | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly store: SnapshotStore) {}

  /** Chunks are handled one at a time, in arrival order. */
  accept(chunk: SnapshotChunk): Promise<ChunkAnswer> {
    const answer = this.queue.then(() => this.acceptNow(chunk));
    this.queue = answer.catch(() => undefined);
    return answer;
  }

  private async acceptNow(chunk: SnapshotChunk): Promise<ChunkAnswer> {
    const part = await this.partFor(chunk.meta);
    if (chunk.offset !== part.bytes) return { nextOffset: part.bytes, done: false };
    await fs.appendFile(part.path, chunk.data);
    part.bytes += chunk.data.length;
    if (this.store.unsafeDelayMs > 0) await pause(this.store.unsafeDelayMs / 3);
    if (part.bytes < chunk.totalBytes) return { nextOffset: part.bytes, done: false };
    const data = await fs.readFile(part.path);
    const content = decodeSnapshot(data);
    this.part = null;
    if (
      typeof content === 'string' ||
      content.meta.index !== chunk.meta.index ||
      content.meta.term !== chunk.meta.term
    ) {
      await fs.rm(part.path, { force: true });
      return { nextOffset: 0, done: false };
    }
    const handle = await fs.open(part.path, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await this.store.adopt(part.path, { index: chunk.meta.index, term: chunk.meta.term }, data.length);
    return { nextOffset: data.length, done: true, content };
  }

  /** The partial file of this snapshot, resumed from disk; another snapshot's is discarded. */
  private async partFor(meta: SnapshotMeta): Promise<{ key: string; path: string; bytes: number }> {
    const key = `${meta.index}-${meta.term}`;
    if (this.part?.key === key) return this.part;
    for (const name of await fs.readdir(this.store.dataDir))
      if (name.startsWith('incoming-') && name !== `incoming-${key}.part`)
        await fs.rm(nodePath.join(this.store.dataDir, name), { force: true });
    const path = nodePath.join(this.store.dataDir, `incoming-${key}.part`);
    const bytes = await fs.stat(path).then(
      (stat) => stat.size,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return 0;
        throw error;
      },
    );
    this.part = { key, path, bytes };
    return this.part;
  }
}
