import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileDurableStorage, WAL_FILE_NAME } from './file-durable-storage';
import { encodeRecord } from './wal-record';
import { range, request, type Cmd } from '../test/persist-requests';
import { openPathsUnder } from '../test/file-handle-calls';

type HandleMethods = {
  write: (buffer: Buffer) => Promise<{ bytesWritten: number; buffer: Buffer }>;
  sync: () => Promise<void>;
};

/** A failed write or fsync: what is reported, to whom, and what is left open. */
describe('FileDurableStorage: a failed write or fsync', () => {
  let dir: string;
  let walPath: string;
  let logged: string[];

  /** The prototype FileHandle's write and sync live on (the class is not exported). */
  async function fileHandlePrototype(): Promise<HandleMethods> {
    const handle = await fsp.open(walPath, 'r');
    const prototype = Object.getPrototypeOf(handle) as HandleMethods;
    await handle.close();
    return prototype;
  }

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-wal-fail-'));
    walPath = path.join(dir, WAL_FILE_NAME);
    logged = [];
  });
  afterEach(() => {
    jest.restoreAllMocks();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a short write is a failed write: fatal, with how much of the record was written', async () => {
    const onFatal = jest.fn();
    const { storage } = await FileDurableStorage.open<Cmd>(dir, { logger: () => undefined, onFatal });
    const length = encodeRecord<Cmd>({
      t: 'write',
      entries: range(1, 2, 1),
      hardState: null,
      syncedBytes: 0,
    }).length;
    jest
      .spyOn(await fileHandlePrototype(), 'write')
      .mockImplementationOnce((buffer: Buffer) => Promise.resolve({ bytesWritten: length - 1, buffer }));
    const expected = `WAL ${walPath}: write failed (short write: ${length - 1} of ${length} bytes); durable state unknown, not retrying`;
    await expect(storage.persist(request({ entries: range(1, 2, 1) }))).rejects.toThrow(expected);
    expect(onFatal).toHaveBeenCalledTimes(1);
    expect((onFatal.mock.calls[0][0] as Error).message).toBe(expected);
    await storage.close();
  });

  it('without an onFatal, logs the failure and exits the process with status 1', async () => {
    const exit = jest.spyOn(process, 'exit').mockImplementation(() => undefined as never);
    const { storage } = await FileDurableStorage.open<Cmd>(dir, { logger: (m) => logged.push(m) });
    jest.spyOn(await fileHandlePrototype(), 'sync').mockRejectedValueOnce(new Error('EIO: i/o error'));
    await expect(storage.persist(request({ entries: range(1, 1, 1) }))).rejects.toThrow(/fsync failed/);
    expect(logged).toEqual([
      `FATAL: WAL ${walPath}: fsync failed (EIO: i/o error); durable state unknown, not retrying; exiting`,
    ]);
    expect(exit).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledWith(1);
    await storage.close();
  });

  it('the failure carries the disk error as its cause, and every refusal after it carries the failure', async () => {
    const { storage } = await FileDurableStorage.open<Cmd>(dir, {
      logger: () => undefined,
      onFatal: () => undefined,
    });
    const diskError = new Error('EIO: i/o error');
    jest.spyOn(await fileHandlePrototype(), 'sync').mockRejectedValueOnce(diskError);
    const failure = await storage
      .persist(request({ entries: range(1, 1, 1) }))
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).cause).toBe(diskError);
    const refusal = await storage
      .persist(request({ entries: range(2, 2, 1) }))
      .catch((error: unknown) => error);
    expect((refusal as Error).message).toBe(
      `WAL ${walPath} is unusable after an earlier failure: ${(failure as Error).message}`,
    );
    expect((refusal as Error).cause).toBe(failure);
    await storage.close();
  });

  it('close releases the file, after a failure as after success', async () => {
    const first = await FileDurableStorage.open<Cmd>(dir, { logger: () => undefined });
    await first.storage.persist(request({ entries: range(1, 1, 1) }));
    await first.storage.close();
    expect(openPathsUnder(dir)).toEqual([]);

    const { storage } = await FileDurableStorage.open<Cmd>(dir, {
      logger: () => undefined,
      onFatal: () => undefined,
    });
    const sync = jest.spyOn(await fileHandlePrototype(), 'sync').mockRejectedValueOnce(new Error('EIO'));
    await expect(storage.persist(request({ entries: range(2, 2, 1) }))).rejects.toThrow(/fsync failed/);
    await storage.close();
    expect(sync).toHaveBeenCalledTimes(1);
    expect(openPathsUnder(dir)).toEqual([]);
  });
});
