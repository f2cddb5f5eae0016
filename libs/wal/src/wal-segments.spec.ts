import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { HardState, LogEntry, PersistRequest, SnapshotMeta } from '@app/replicated-log';
import { FileDurableStorage } from './file-durable-storage';
import { WalCorruptionError } from './wal-corruption.error';
import { decodeRecordAt } from './wal-record';
import { flipBits } from '../test/flip-bits';

/** Corrupts one byte of a file in place. */
function flipFileByte(file: string, offset: number): void {
  const data = fs.readFileSync(file);
  flipBits(data, offset, 0xff);
  fs.writeFileSync(file, data);
}

type Cmd = { op: string };

const entry = (index: number, term: number): LogEntry<Cmd> => ({
  index,
  term,
  leaderTimeMs: 0,
  body: { type: 'command', command: { op: `op-${index}-${'x'.repeat(40)}` } },
});
const range = (first: number, last: number, term: number): LogEntry<Cmd>[] =>
  Array.from({ length: last - first + 1 }, (_, i) => entry(first + i, term));
const write = (entries: LogEntry<Cmd>[], hardState: HardState | null = null): PersistRequest<Cmd> => ({
  hardState,
  entries,
  mustSync: true,
});
const snapshotAt = (index: number, term: number): SnapshotMeta => ({
  index,
  term,
  members: [],
  membershipIndex: 0,
});

describe('WAL segments', () => {
  let dir: string;
  let logged: string[];
  const open = (options: { snapshot?: SnapshotMeta; segmentBytes?: number } = {}) =>
    FileDurableStorage.open<Cmd>(dir, { logger: (m) => logged.push(m), segmentBytes: 2_000, ...options });
  const segmentFiles = () =>
    fs
      .readdirSync(dir)
      .filter((n) => n.startsWith('wal'))
      .sort();

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-seg-'));
    logged = [];
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** 100 entries, 10 at a time, term 1, commit following along. */
  async function writeHistory(): Promise<void> {
    const { storage } = await open();
    for (let first = 1; first <= 100; first += 10)
      await storage.persist(
        write(range(first, first + 9, 1), { term: 1, votedFor: 'n1', commitIndex: first + 9 }),
      );
    await storage.close();
  }

  it('rotates at the segment size and replays across segments, record by record', async () => {
    await writeHistory();
    expect(segmentFiles().length).toBeGreaterThan(3);
    const { storage, recovered } = await open();
    expect(recovered.entries.map((e) => e.index)).toEqual(range(1, 100, 1).map((e) => e.index));
    expect(recovered.hardState).toEqual({ term: 1, votedFor: 'n1', commitIndex: 100 });
    expect(storage.totalBytes).toBe(
      segmentFiles().reduce((sum, name) => sum + fs.statSync(path.join(dir, name)).size, 0),
    );
    await storage.close();
  });

  it('every record in a new segment says how much of that segment an fsync covered', async () => {
    await writeHistory();
    for (const name of segmentFiles()) {
      const data = fs.readFileSync(path.join(dir, name));
      for (let offset = 0; offset < data.length;) {
        const scan = decodeRecordAt<Cmd>(data, offset);
        if (scan.kind !== 'record') throw new Error(`${name} at ${offset}: ${scan.kind}`);
        if (scan.record.t === 'write') expect(scan.record.syncedBytes).toBeLessThanOrEqual(offset);
        offset = scan.end;
      }
    }
  });

  it('compaction deletes only whole segments at or below the index, and keeps the hard state', async () => {
    await writeHistory();
    const before = segmentFiles().length;
    const { storage } = await open();
    const deleted = await storage.compact(60);
    expect(deleted).toBeGreaterThan(0);
    expect(segmentFiles().length).toBe(before - deleted);
    await storage.close();
    const { storage: again, recovered } = await open({ snapshot: snapshotAt(60, 1) });
    // Only what follows the snapshot is held in memory.
    expect(recovered.entries[0]?.index).toBe(61);
    expect(recovered.entries.at(-1)?.index).toBe(100);
    expect(recovered.hardState).toEqual({ term: 1, votedFor: 'n1', commitIndex: 100 });
    expect(recovered.snapshot).toEqual(snapshotAt(60, 1));
    await again.close();
  });

  it('refuses to start when the WAL no longer reaches back to the snapshot it starts from', async () => {
    await writeHistory();
    const { storage } = await open();
    await storage.compact(80);
    await storage.close();
    await expect(open({ snapshot: snapshotAt(20, 1) })).rejects.toThrow(/after the snapshot at 20/);
  });

  it('damage in a segment the WAL moved past is corruption, with the file and offset', async () => {
    await writeHistory();
    const first = path.join(dir, segmentFiles()[0]!);
    flipFileByte(first, 100);
    const failure = await open().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WalCorruptionError);
    expect((failure as WalCorruptionError).path).toBe(first);
    expect((failure as Error).message).toMatch(/corrupt at byte offset 0: checksum mismatch/);
  });

  it('resetTo restarts the log after an installed snapshot; a crash before the old segments go replays the same', async () => {
    await writeHistory();
    const { storage } = await open();
    await storage.resetTo({ index: 500, term: 3 });
    await storage.persist(write(range(501, 502, 3), { term: 3, votedFor: null, commitIndex: 500 }));
    await storage.close();
    expect(segmentFiles()).toHaveLength(1);
    const { storage: again, recovered } = await open({ snapshot: snapshotAt(500, 3) });
    expect(recovered.entries.map((e) => e.index)).toEqual([501, 502]);
    expect(recovered.hardState.term).toBe(3);
    await again.close();
  });

  it('a snapshot in place over a log that does not continue it (a crash while installing) wins', async () => {
    await writeHistory();
    const { storage, recovered } = await open({ snapshot: snapshotAt(300, 2) });
    expect(recovered.entries).toEqual([]);
    expect(recovered.hardState).toEqual({ term: 1, votedFor: 'n1', commitIndex: 300 });
    await storage.persist(write([entry(301, 2)], { term: 2, votedFor: null, commitIndex: 300 }));
    await storage.close();
    const { storage: again, recovered: replayed } = await open({ snapshot: snapshotAt(300, 2) });
    expect(replayed.entries.map((e) => e.index)).toEqual([301]);
    await again.close();
  });

  it('a log that conflicts with the snapshot at its index is dropped, one that matches is kept', async () => {
    await writeHistory();
    const conflicting = await open({ snapshot: snapshotAt(50, 2) });
    expect(conflicting.recovered.entries).toEqual([]);
    await conflicting.storage.close();
    fs.rmSync(dir, { recursive: true });
    await writeHistory();
    const matching = await open({ snapshot: snapshotAt(50, 1) });
    expect(matching.recovered.entries.map((e) => e.index)).toEqual(range(51, 100, 1).map((e) => e.index));
    await matching.storage.close();
  });
});
