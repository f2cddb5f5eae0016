import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SnapshotMeta } from '@app/replicated-log';
import { FileDurableStorage } from './file-durable-storage';
import { listSegments } from './wal-segments';
import { range, request, type Cmd } from '../test/persist-requests';

const snapshotAt = (index: number, term: number): SnapshotMeta => ({
  index,
  term,
  members: [],
  membershipIndex: 0,
});

/**
 * What compaction and a snapshot leave of the WAL across restarts: the hard state, every
 * entry past the snapshot, and no segment file that was not there before.
 */
describe('FileDurableStorage: segments across compaction and restarts', () => {
  let dir: string;
  const open = (snapshot?: SnapshotMeta) =>
    FileDurableStorage.open<Cmd>(dir, { logger: () => undefined, segmentBytes: 600, snapshot });
  const segmentFiles = () =>
    fs
      .readdirSync(dir)
      .filter((n) => n.startsWith('wal'))
      .sort();

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-wal-compact-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Entries 1..60 in persists of ten (one segment each); the hard state is written with the first only. */
  async function writeSixSegments(): Promise<void> {
    const { storage } = await open();
    await storage.persist(
      request({ entries: range(1, 10, 1), hardState: { term: 5, votedFor: 'n2', commitIndex: 0 } }),
    );
    for (let first = 11; first <= 60; first += 10)
      await storage.persist(request({ entries: range(first, first + 9, 1) }));
    expect(storage.segmentCount).toBe(6);
    await storage.close();
  }

  it('keeps the hard state when the segment that wrote it is compacted away', async () => {
    await writeSixSegments();
    const { storage } = await open();
    expect(await storage.compact(50)).toBe(5);
    await storage.close();
    const { storage: again, recovered } = await open(snapshotAt(50, 1));
    // term and vote as written; the commit index reaches at least the snapshot
    expect(recovered.hardState).toEqual({ term: 5, votedFor: 'n2', commitIndex: 50 });
    expect(recovered.entries.map((e) => e.index)).toEqual(range(51, 60, 1).map((e) => e.index));
    await again.close();
  });

  it('after a restart, still knows which entries each segment holds: none past the snapshot goes', async () => {
    await writeSixSegments();
    const { storage } = await open();
    // The second segment holds 11..20: a snapshot at 15 does not cover it.
    expect(await storage.compact(15)).toBe(1);
    expect(await storage.compact(19)).toBe(0);
    expect(await storage.compact(20)).toBe(1);
    await storage.close();
    const { storage: again, recovered } = await open(snapshotAt(20, 1));
    expect(recovered.entries[0]?.index).toBe(21);
    await again.close();
  });

  it('a restart after compaction begins no first segment again', async () => {
    await writeSixSegments();
    const { storage } = await open();
    await storage.compact(30);
    await storage.close();
    const left = segmentFiles();
    expect(left).not.toContain('wal.log');
    const { storage: again } = await open(snapshotAt(30, 1));
    expect(segmentFiles()).toEqual(left);
    expect(again.segmentCount).toBe(left.length);
    await again.close();
    expect((await listSegments(dir)).map((s) => s.seq)).toEqual([3, 4, 5]);
  });

  it('starting from a snapshot the log continues keeps the log on disk', async () => {
    await writeSixSegments();
    const before = segmentFiles();
    for (let restart = 0; restart < 2; restart++) {
      const { storage, recovered } = await open(snapshotAt(25, 1));
      expect(recovered.entries.map((e) => e.index)).toEqual(range(26, 60, 1).map((e) => e.index));
      expect(segmentFiles()).toEqual(before);
      await storage.close();
    }
  });
});
