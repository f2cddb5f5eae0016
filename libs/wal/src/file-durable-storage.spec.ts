import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { AssertionError, EMPTY_HARD_STATE } from '@app/replicated-log';
import type { HardState, PersistRequest } from '@app/replicated-log';
import { FileDurableStorage, WAL_FILE_NAME } from './file-durable-storage';
import { WalCorruptionError } from './wal-corruption.error';
import { encodeRecord } from './wal-record';
import { flipBits } from '../test/flip-bits';
import { entry, range, request, type Cmd } from '../test/persist-requests';
import { spyOnFileHandle } from '../test/file-handle-calls';

/** The real fsync(2), for a spy that records which file it was asked to sync. */
const fsSyncOf = (fd: number): Promise<void> =>
  new Promise((resolve, reject) => fs.fsync(fd, (error) => (error ? reject(error) : resolve())));

describe('FileDurableStorage', () => {
  let dir: string;
  let walPath: string;
  let logged: string[];
  const open = () => FileDurableStorage.open<Cmd>(dir, { logger: (msg) => logged.push(msg) });

  /** Opens, runs the requests one after another, and closes. */
  async function persistAll(...requests: PersistRequest<Cmd>[]): Promise<void> {
    const { storage } = await open();
    for (const r of requests) await storage.persist(r);
    await storage.close();
  }

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-wal-'));
    walPath = path.join(dir, WAL_FILE_NAME);
    logged = [];
  });
  afterEach(() => {
    jest.restoreAllMocks();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates the directory and an empty WAL on first open', async () => {
    const dataDir = path.join(dir, 'nested', 'data');
    const { storage, recovered } = await FileDurableStorage.open<Cmd>(dataDir);
    expect(recovered).toEqual({ hardState: EMPTY_HARD_STATE, entries: [] });
    expect(storage.path).toBe(path.join(dataDir, WAL_FILE_NAME));
    expect(storage.sizeBytes).toBe(0);
    expect(fs.statSync(storage.path).size).toBe(0);
    await storage.close();
  });

  it('round-trips entries and hard state across a reopen', async () => {
    const hardState: HardState = { term: 2, votedFor: 'n1', commitIndex: 2 };
    const { storage } = await open();
    await storage.persist(request({ entries: range(1, 3, 2), hardState }));
    expect(storage.sizeBytes).toBe(fs.statSync(walPath).size);
    await storage.close();

    const { storage: reopened, recovered } = await open();
    expect(recovered).toEqual({ hardState, entries: range(1, 3, 2) });
    expect(reopened.sizeBytes).toBe(fs.statSync(walPath).size);
    await reopened.close();
    expect(logged).toEqual([]);
  });

  it('replaces a suffix when entries start below the end of the log', async () => {
    await persistAll(request({ entries: range(1, 5, 1) }), request({ entries: range(3, 4, 2) }));
    const { storage, recovered } = await open();
    expect(recovered.entries).toEqual([...range(1, 2, 1), ...range(3, 4, 2)]);
    // The suffix check follows the rebuilt log: appending 5 is fine, a gap is a bug.
    await expect(storage.persist(request({ entries: range(6, 6, 2) }))).rejects.toThrow(AssertionError);
    await storage.persist(request({ entries: range(5, 5, 2) }));
    await storage.close();
    const again = await open();
    expect(again.recovered.entries.map((e) => e.term)).toEqual([1, 1, 2, 2, 2]);
    await again.storage.close();
  });

  it('keeps the last of several hard-state-only records', async () => {
    await persistAll(
      request({ hardState: { term: 1, votedFor: 'n1', commitIndex: 0 } }),
      request({ hardState: { term: 2, votedFor: null, commitIndex: 0 } }),
      request({ hardState: { term: 2, votedFor: 'n3', commitIndex: 0 } }),
    );
    const { storage, recovered } = await open();
    expect(recovered).toEqual({ hardState: { term: 2, votedFor: 'n3', commitIndex: 0 }, entries: [] });
    await storage.close();
  });

  it('writes even when mustSync is false', async () => {
    const { storage } = await open();
    const sync = await spyOnFileHandle('sync');
    await storage.persist(
      request({
        entries: range(1, 2, 1),
        hardState: { term: 1, votedFor: null, commitIndex: 2 },
        mustSync: false,
      }),
    );
    expect(sync).not.toHaveBeenCalled();
    // Another process sees the bytes in the page cache without any fsync.
    const { storage: other, recovered } = await open();
    expect(recovered.entries).toEqual(range(1, 2, 1));
    expect(recovered.hardState.commitIndex).toBe(2);
    await other.close();
    await storage.close();
  });

  it('reports the write before the fsync: the bytes are in the file, the sync not yet asked for', async () => {
    const { storage } = await open();
    const sync = await spyOnFileHandle('sync');
    const seen: { bytes: number; syncs: number }[] = [];
    await storage.persist(request({ entries: range(1, 3, 1) }), () =>
      seen.push({ bytes: fs.statSync(walPath).size, syncs: sync.mock.calls.length }),
    );
    expect(seen).toEqual([{ bytes: storage.sizeBytes, syncs: 0 }]);
    expect(storage.sizeBytes).toBeGreaterThan(0);
    expect(sync).toHaveBeenCalledTimes(1);
    await storage.close();
  });

  it('cuts a torn tail, warns once, and keeps working after it', async () => {
    await persistAll(request({ entries: range(1, 2, 1) }));
    const validSize = fs.statSync(walPath).size;
    const torn = encodeRecord<Cmd>({ t: 'entries', entries: range(3, 4, 1) });
    fs.appendFileSync(walPath, torn.subarray(0, Math.floor(torn.length / 2)));

    const { storage, recovered } = await open();
    expect(recovered.entries).toEqual(range(1, 2, 1));
    expect(fs.statSync(walPath).size).toBe(validSize);
    expect(storage.sizeBytes).toBe(validSize);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain(`WAL ${walPath}: torn tail at byte offset ${validSize}`);

    await storage.persist(request({ entries: range(3, 3, 2) }));
    await storage.close();
    const again = await open();
    expect(again.recovered.entries).toEqual([...range(1, 2, 1), entry(3, 2)]);
    expect(logged).toHaveLength(1);
    await again.storage.close();
  });

  it('refuses to open a WAL corrupted before its tail', async () => {
    await persistAll(
      request({ entries: range(1, 2, 1) }),
      request({ hardState: { term: 1, votedFor: 'n1', commitIndex: 1 } }),
    );
    const data = fs.readFileSync(walPath);
    flipBits(data, 12, 0x20); // inside the first record's payload
    fs.writeFileSync(walPath, data);

    const opening = open();
    await expect(opening).rejects.toThrow(WalCorruptionError);
    await expect(opening).rejects.toThrow(
      `WAL ${walPath} is corrupt at byte offset 0: checksum mismatch; refusing to start`,
    );
    expect(fs.readFileSync(walPath)).toEqual(data);
  });

  it('fsyncs the WAL file and its directory at start, before returning what it read', async () => {
    // As after a crash between write() and fsync: the bytes are in the page cache only.
    const hardState: HardState = { term: 3, votedFor: 'n2', commitIndex: 1 };
    fs.writeFileSync(
      walPath,
      Buffer.concat([
        encodeRecord<Cmd>({ t: 'entries', entries: range(1, 2, 3) }),
        encodeRecord<Cmd>({ t: 'hardState', hardState }),
      ]),
    );
    const synced: string[] = [];
    (await spyOnFileHandle('sync')).mockImplementation(function (this: fsp.FileHandle) {
      synced.push(fs.readlinkSync(`/proc/self/fd/${this.fd}`));
      return fsSyncOf(this.fd);
    });

    const { storage, recovered } = await open();
    expect(recovered).toEqual({ hardState, entries: range(1, 2, 3) });
    expect(synced).toEqual(expect.arrayContaining([fs.realpathSync(walPath), fs.realpathSync(dir)]));
    await storage.close();
  });

  describe('a write torn by a power loss (its pages landed out of order)', () => {
    const firstHardState: HardState = { term: 1, votedFor: 'n1', commitIndex: 2 };
    const lastHardState: HardState = { term: 1, votedFor: 'n1', commitIndex: 200 };

    /** Two persists, each of entries and a hard state; returns where the second starts. */
    async function twoWrites(): Promise<number> {
      const { storage } = await open();
      await storage.persist(request({ entries: range(1, 2, 1), hardState: firstHardState }));
      const lastWriteStart = storage.sizeBytes;
      // Entries of several pages, then the hard state, all in one write.
      await storage.persist(request({ entries: range(3, 200, 1), hardState: lastHardState }));
      await storage.close();
      expect(fs.statSync(walPath).size - lastWriteStart).toBeGreaterThan(3 * 4096);
      return lastWriteStart;
    }

    /** Zeroes `[from, from + length)`, as a page the disk never wrote. */
    function zeroBytes(from: number, length: number): void {
      const data = fs.readFileSync(walPath);
      data.fill(0, from, from + length);
      fs.writeFileSync(walPath, data);
    }

    it.each([
      ['a page in the middle of its entries', 4096],
      ['the page holding its start', 0],
    ])('cuts it as a torn tail when %s is lost but its hard state landed', async (_name, pageOffset) => {
      const lastWriteStart = await twoWrites();
      const sizeBefore = fs.statSync(walPath).size;
      zeroBytes(lastWriteStart + pageOffset, 4096);
      // The hard state, at the end of the write, is intact.
      expect(fs.readFileSync(walPath).subarray(-200).toString()).toContain('"commitIndex":200');

      const { storage, recovered } = await open();
      expect(recovered).toEqual({ hardState: firstHardState, entries: range(1, 2, 1) });
      expect(fs.statSync(walPath).size).toBe(lastWriteStart);
      expect(logged).toEqual([
        expect.stringContaining(`WAL ${walPath}: torn tail at byte offset ${lastWriteStart}`),
      ]);
      expect(logged[0]).toContain(`truncating ${sizeBefore} -> ${lastWriteStart} bytes`);
      await storage.close();
    });

    it("cuts a damaged write that was never fsync'd, with the writes after it, up to the next fsync", async () => {
      const { storage } = await open();
      await storage.persist(request({ entries: range(1, 2, 1), hardState: firstHardState }));
      const unsyncedStart = storage.sizeBytes;
      // A commit index alone is written without an fsync; the next write's fsync covers it.
      await storage.persist(request({ hardState: { ...firstHardState, commitIndex: 1 }, mustSync: false }));
      await storage.persist(request({ entries: range(3, 4, 1) }));
      await storage.close();
      // The power went before that fsync finished: the first of the two writes was lost.
      zeroBytes(unsyncedStart + 2, 20);

      const { storage: reopened, recovered } = await open();
      expect(recovered).toEqual({ hardState: firstHardState, entries: range(1, 2, 1) });
      expect(fs.statSync(walPath).size).toBe(unsyncedStart);
      expect(logged).toEqual([
        expect.stringContaining(`WAL ${walPath}: torn tail at byte offset ${unsyncedStart}`),
      ]);
      await reopened.close();
    });

    it("refuses to start when a write after the damage was made once it had been fsync'd", async () => {
      const { storage } = await open();
      await storage.persist(request({ entries: range(1, 2, 1), hardState: firstHardState }));
      const damagedStart = storage.sizeBytes;
      await storage.persist(request({ hardState: { ...firstHardState, commitIndex: 1 }, mustSync: false }));
      await storage.persist(request({ entries: range(3, 3, 1) }));
      await storage.persist(request({ entries: range(4, 4, 1) }));
      await storage.close();
      zeroBytes(damagedStart + 2, 20);
      await expect(open()).rejects.toThrow(`WAL ${walPath} is corrupt at byte offset ${damagedStart}`);
    });

    it('still refuses to start when the damage is in an earlier write', async () => {
      await twoWrites();
      zeroBytes(20, 10);
      await expect(open()).rejects.toThrow(
        `WAL ${walPath} is corrupt at byte offset 0: checksum mismatch; refusing to start`,
      );
    });
  });

  it('asserts that persist calls never overlap', async () => {
    const { storage } = await open();
    const first = storage.persist(request({ entries: range(1, 1, 1) }));
    await expect(storage.persist(request({ entries: range(2, 2, 1) }))).rejects.toThrow(AssertionError);
    await first;
    await storage.close();
  });

  it('treats a failed fsync as fatal and never retries it', async () => {
    const onFatal = jest.fn();
    const { storage } = await FileDurableStorage.open<Cmd>(dir, { logger: () => undefined, onFatal });
    const sync = (await spyOnFileHandle('sync')).mockRejectedValueOnce(new Error('EIO: i/o error'));

    await expect(storage.persist(request({ entries: range(1, 1, 1) }))).rejects.toThrow(
      /fsync failed \(EIO: i\/o error\)/,
    );
    expect(onFatal).toHaveBeenCalledTimes(1);
    expect(onFatal.mock.calls[0][0].message).toContain(walPath);
    await expect(storage.persist(request({ entries: range(2, 2, 1) }))).rejects.toThrow(
      /unusable after an earlier failure/,
    );
    await storage.close();
    expect(sync).toHaveBeenCalledTimes(1);
    expect(onFatal).toHaveBeenCalledTimes(1);
  });
});
