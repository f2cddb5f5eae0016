import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';

/** The first segment keeps the name the single-file WAL had, so an existing data directory reads as is. */
export const FIRST_SEGMENT_NAME = 'wal.log';
const SEGMENT_NAME = /^wal-(\d{10})\.log$/;

/** One file of the WAL: its records follow those of the segment before it. */
export interface WalSegment {
  /** position in the sequence; the first segment (`wal.log`) is 0 */
  seq: number;
  path: string;
  bytes: number;
  /** the highest entry index any record in it wrote; 0 when it holds no entries */
  maxIndex: number;
}

export function segmentName(seq: number): string {
  return seq === 0 ? FIRST_SEGMENT_NAME : `wal-${String(seq).padStart(10, '0')}.log`;
}

/** The WAL's segment files in `dataDir`, in order (sizes and maxIndex filled in by replay). */
export async function listSegments(dataDir: string): Promise<WalSegment[]> {
  const names = await fs.readdir(dataDir);
  const segments: WalSegment[] = [];
  for (const name of names) {
    const seq = name === FIRST_SEGMENT_NAME ? 0 : Number(SEGMENT_NAME.exec(name)?.[1] ?? NaN);
    if (Number.isInteger(seq))
      segments.push({ seq, path: nodePath.join(dataDir, name), bytes: 0, maxIndex: 0 });
  }
  return segments.sort((a, b) => a.seq - b.seq);
}

/**
 * The segments that may be deleted once everything up to `upTo` is in a snapshot: a
 * prefix whose entries are all at or below it, never the segment being written. Each
 * segment starts with the hard state as of its creation, so nothing else is lost.
 */
export function compactableSegments(segments: readonly WalSegment[], upTo: number): WalSegment[] {
  const deletable: WalSegment[] = [];
  for (const segment of segments.slice(0, -1)) {
    if (segment.maxIndex > upTo) break;
    deletable.push(segment);
  }
  return deletable;
}
