import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compactableSegments, listSegments, segmentName, type WalSegment } from './wal-segments';

/** The names of the segment files, how they are found, and which may go after a snapshot. */
describe('WAL segment files', () => {
  it('names the first segment as the single-file WAL was named, the others by number', () => {
    expect(segmentName(0)).toBe('wal.log');
    expect(segmentName(1)).toBe('wal-0000000001.log');
    expect(segmentName(1234)).toBe('wal-0000001234.log');
  });

  describe('listSegments', () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-seg-files-'));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('finds the segments in order among the other files of the data directory', async () => {
      for (const name of [
        'wal-0000000010.log',
        'storage-id',
        'wal.log',
        'wal-12.log',
        'wal-0000000002.log',
        'wal-0000000003.log.tmp',
        'snapshot-00000000000000000005-1.snap',
      ])
        fs.writeFileSync(path.join(dir, name), '');
      expect(await listSegments(dir)).toEqual(
        [0, 2, 10].map((seq) => ({ seq, path: path.join(dir, segmentName(seq)), bytes: 0, maxIndex: 0 })),
      );
    });
  });

  describe('compactableSegments', () => {
    const segments = (...maxIndexes: number[]): WalSegment[] =>
      maxIndexes.map((maxIndex, seq) => ({ seq, path: segmentName(seq), bytes: 100, maxIndex }));
    const seqs = (found: WalSegment[]) => found.map((s) => s.seq);

    it('takes the segments whose entries are all at or below the index', () => {
      expect(seqs(compactableSegments(segments(10, 20, 30, 40), 20))).toEqual([0, 1]);
      expect(seqs(compactableSegments(segments(10, 20, 30, 40), 19))).toEqual([0]);
      expect(seqs(compactableSegments(segments(10, 20, 30, 40), 9))).toEqual([]);
    });

    it('never takes the segment being written, however far the snapshot reaches', () => {
      expect(seqs(compactableSegments(segments(10, 20, 30), 100))).toEqual([0, 1]);
      expect(seqs(compactableSegments(segments(10), 100))).toEqual([]);
    });

    it('takes only a prefix: a segment past the index keeps every later one', () => {
      // A follower's overwrite can leave a later segment with lower indexes than an earlier one.
      expect(seqs(compactableSegments(segments(0, 30, 15, 40), 20))).toEqual([0]);
    });
  });
});
