import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileDurableStorage, WAL_FILE_NAME } from './file-durable-storage';
import { listSegments } from './wal-segments';
import { range, request, type Cmd } from '../test/persist-requests';
import { recordSyncs } from '../test/file-handle-calls';

/** When a persist begins a new segment, and what the one it leaves is given. */
describe('FileDurableStorage: moving on to a new segment', () => {
  let dir: string;
  const open = (segmentBytes: number) =>
    FileDurableStorage.open<Cmd>(dir, { logger: () => undefined, segmentBytes });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-wal-rotate-'));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The sizes of the WAL after each of two persists, measured with segments too large to fill. */
  async function sizesOfTwoWrites(): Promise<[number, number]> {
    const { storage } = await open(1_000_000);
    await storage.persist(request({ entries: range(1, 3, 1) }));
    const first = storage.sizeBytes;
    await storage.persist(request({ entries: range(4, 6, 1) }));
    const both = storage.sizeBytes;
    await storage.close();
    fs.rmSync(dir, { recursive: true });
    return [first, both];
  }

  it('fills a segment up to exactly its size, and moves on one byte past it', async () => {
    const [, both] = await sizesOfTwoWrites();
    const exact = await open(both);
    await exact.storage.persist(request({ entries: range(1, 3, 1) }));
    await exact.storage.persist(request({ entries: range(4, 6, 1) }));
    expect(exact.storage.segmentCount).toBe(1);
    expect(exact.storage.sizeBytes).toBe(both);
    await exact.storage.close();
    fs.rmSync(dir, { recursive: true });

    const over = await open(both - 1);
    await over.storage.persist(request({ entries: range(1, 3, 1) }));
    await over.storage.persist(request({ entries: range(4, 6, 1) }));
    expect(over.storage.segmentCount).toBe(2);
    await over.storage.close();
    const reopened = await open(both - 1);
    expect(reopened.recovered.entries.map((e) => e.index)).toEqual([1, 2, 3, 4, 5, 6]);
    await reopened.storage.close();
  });

  it('writes a record larger than a segment into the current one while it is empty', async () => {
    const { storage } = await open(100);
    await storage.persist(request({ entries: range(1, 5, 1) }));
    expect(storage.sizeBytes).toBeGreaterThan(100);
    expect(storage.segmentCount).toBe(1);
    expect(fs.statSync(path.join(dir, WAL_FILE_NAME)).size).toBe(storage.sizeBytes);
    await storage.persist(request({ entries: range(6, 6, 1) }));
    expect(storage.segmentCount).toBe(2);
    await storage.close();
  });

  it('a persist with nothing to write writes nothing and begins no segment, even past the size', async () => {
    const { storage } = await open(100);
    await storage.persist(request({ entries: range(1, 5, 1) }));
    const size = storage.sizeBytes;
    await storage.persist(request({}));
    expect(storage.sizeBytes).toBe(size);
    expect(storage.segmentCount).toBe(1);
    expect((await listSegments(dir)).map((s) => s.seq)).toEqual([0]);
    expect(fs.statSync(path.join(dir, WAL_FILE_NAME)).size).toBe(size);
    await storage.close();
  });

  it("seals the segment it leaves with an fsync, even when the writes in it were not fsync'd", async () => {
    const { storage } = await open(300);
    const realDir = fs.realpathSync(dir);
    await storage.persist(request({ entries: range(1, 3, 1), mustSync: false }));
    const synced = await recordSyncs();
    await storage.persist(request({ entries: range(4, 6, 1), mustSync: false }));
    expect(storage.segmentCount).toBe(2);
    // the sealed segment, then the directory that now names the new one
    expect(synced).toEqual([path.join(realDir, WAL_FILE_NAME), realDir]);
    await storage.close();
  });
});
