import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileDurableStorage, WAL_FILE_NAME } from './file-durable-storage';
import { listSegments, segmentName } from './wal-segments';
import { range, request, type Cmd } from '../test/persist-requests';
import { waitFor } from '../../../test/support/wait-for';
import { recordSyncs, spyOnFileHandle } from '../test/file-handle-calls';

/**
 * The durability contract, observed through fsync calls: what a persist, a close or a
 * restart after a snapshot promises is on disk once it resolves. (A power cut cannot be
 * simulated here; counting the syncs, and when they resolve, is what shows the promise.)
 */
describe('FileDurableStorage: what is fsync\u2019d, and when', () => {
  let dir: string;
  // A failed write or fsync rejects the call, so a spec fails on it; the default onFatal
  // would exit the test process instead.
  const open = (segmentBytes?: number) =>
    FileDurableStorage.open<Cmd>(dir, { logger: () => undefined, onFatal: () => undefined, segmentBytes });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-wal-sync-'));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a persist that must sync resolves only after its fsync has', async () => {
    const { storage } = await open();
    const sync = await spyOnFileHandle('sync');
    let release: () => void = () => undefined;
    sync.mockImplementationOnce(() => new Promise<void>((resolve) => (release = resolve)));
    let resolved = false;
    const persisted = storage.persist(request({ entries: range(1, 2, 1) })).then(() => (resolved = true));
    await waitFor('the fsync to be asked for', () => sync.mock.calls.length === 1, { timeoutMs: 10_000 });
    expect(resolved).toBe(false);
    release();
    await persisted;
    expect(resolved).toBe(true);
    // A commit-only hard state may wait for a later sync: no fsync for it.
    await storage.persist(
      request({ hardState: { term: 1, votedFor: null, commitIndex: 2 }, mustSync: false }),
    );
    expect(sync).toHaveBeenCalledTimes(1);
    await storage.close();
  });

  it('close fsyncs what is unsynced, once; a second close does nothing; nothing persists after it', async () => {
    const { storage } = await open();
    const sync = await spyOnFileHandle('sync');
    await storage.persist(
      request({ hardState: { term: 2, votedFor: 'n1', commitIndex: 0 }, mustSync: false }),
    );
    expect(sync).toHaveBeenCalledTimes(0);
    await storage.close();
    expect(sync).toHaveBeenCalledTimes(1);
    await storage.close();
    expect(sync).toHaveBeenCalledTimes(1);
    await expect(storage.persist(request({ entries: range(1, 1, 1) }))).rejects.toThrow(
      `FileDurableStorage.persist on ${path.join(dir, WAL_FILE_NAME)} after close`,
    );
    const reopened = await open();
    expect(reopened.recovered.hardState).toEqual({ term: 2, votedFor: 'n1', commitIndex: 0 });
    await reopened.storage.close();
  });

  it('a restart after a snapshot is durable before the old segments go, and replays from there', async () => {
    const { storage } = await open(600);
    await storage.persist(request({ entries: range(1, 10, 1) }));
    await storage.persist(
      request({ entries: range(11, 20, 1), hardState: { term: 1, votedFor: null, commitIndex: 20 } }),
    );
    expect((await listSegments(dir)).length).toBeGreaterThan(1);
    const oldSegments = await listSegments(dir);
    const oldSegmentsAtSync: boolean[] = [];
    const sync = await spyOnFileHandle('sync');
    const realSync = sync.getMockImplementation();
    sync.mockImplementation(function (this: fsp.FileHandle) {
      oldSegmentsAtSync.push(oldSegments.every((segment) => fs.existsSync(segment.path)));
      return realSync ? realSync.call(this) : Promise.resolve();
    });
    await storage.resetTo({ index: 50, term: 3 });
    // the new segment's base record was fsync'd while every old segment still existed
    expect(oldSegmentsAtSync).toContain(true);
    for (const segment of oldSegments) expect(fs.existsSync(segment.path)).toBe(false);
    expect((await listSegments(dir)).length).toBe(1);
    await storage.persist(request({ entries: range(51, 52, 3) }));
    await storage.close();
    const reopened = await FileDurableStorage.open<Cmd>(dir, {
      logger: () => undefined,
      snapshot: { index: 50, term: 3, members: [], membershipIndex: 0 },
    });
    expect(reopened.recovered.entries.map((e) => e.index)).toEqual([51, 52]);
    await reopened.storage.close();
  });

  it('compaction deletes exactly the segments a snapshot covers, and says how many', async () => {
    const { storage } = await open(600);
    for (let i = 0; i < 6; i++)
      await storage.persist(request({ entries: range(i * 10 + 1, i * 10 + 10, 1) }));
    const before = await listSegments(dir);
    expect(before.length).toBeGreaterThan(2);
    expect(await storage.compact(0)).toBe(0);
    expect(await listSegments(dir)).toHaveLength(before.length);
    const deleted = await storage.compact(60);
    expect(deleted).toBe(before.length - 1);
    const after = await listSegments(dir);
    expect(after).toHaveLength(1);
    for (const gone of before.slice(0, deleted)) expect(fs.existsSync(gone.path)).toBe(false);
    expect(storage.segmentCount).toBe(1);
    await storage.close();
  });
  it('a first open makes every directory it created durable in its parent, and the file in its directory', async () => {
    const dataDir = path.join(dir, 'nested', 'data');
    const synced = await recordSyncs();
    const { storage } = await FileDurableStorage.open<Cmd>(dataDir, { logger: () => undefined });
    const real = fs.realpathSync(dir);
    const realData = path.join(real, 'nested', 'data');
    expect(synced).toEqual([
      realData, // holds the new wal.log
      path.join(real, 'nested'), // holds data
      real, // holds nested, the first directory created
      path.join(realData, WAL_FILE_NAME),
      realData,
    ]);
    await storage.close();
  });

  it("a restart after a snapshot fsyncs the new segment's base record, not only the one it leaves", async () => {
    const { storage } = await open(600);
    await storage.persist(request({ entries: range(1, 10, 1) }));
    await storage.persist(request({ entries: range(11, 20, 1) }));
    const real = fs.realpathSync(dir);
    const [left] = (await listSegments(real)).slice(-1);
    const synced = await recordSyncs();
    await storage.resetTo({ index: 50, term: 3 });
    expect(synced).toEqual([left!.path, real, path.join(real, segmentName(left!.seq + 1)), real]);
    await storage.close();
  });
});
