import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { HardState } from '@app/replicated-log';
import { FileDurableStorage, WAL_FILE_NAME } from './file-durable-storage';
import { spyOnFileHandle } from '../test/file-handle-calls';
import { range, request, type Cmd } from '../test/persist-requests';

/** When set, the next synchronous write throws it (a disk error), once. */
let mockWriteSyncFailure: Error | null = null;
jest.mock('node:fs', () => {
  const actual = jest.requireActual<typeof import('node:fs')>('node:fs');
  return {
    ...actual,
    writeSync: (...args: Parameters<typeof actual.writeSync>) => {
      const failure = mockWriteSyncFailure;
      mockWriteSyncFailure = null;
      if (failure !== null) throw failure;
      return actual.writeSync(...args);
    },
  };
});

/**
 * A small record that needs no fsync (a commit index moving on) is written with a
 * synchronous call instead of a trip through the thread pool: it must still be in the
 * file when its persist resolves, so a process that dies right after restarts with it.
 */
describe('FileDurableStorage: small records that need no fsync', () => {
  let dir: string;
  const open = () => FileDurableStorage.open<Cmd>(dir, { logger: () => undefined });
  const committed: HardState = { term: 1, votedFor: 'n1', commitIndex: 2 };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-wal-now-'));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is in the file when its persist resolves, without a thread-pool write', async () => {
    const { storage } = await open();
    await storage.persist(request({ entries: range(1, 2, 1) }));
    const asyncWrite = await spyOnFileHandle('write');
    await storage.persist(request({ hardState: committed, mustSync: false }));
    expect(asyncWrite).not.toHaveBeenCalled();
    expect(fs.statSync(path.join(dir, WAL_FILE_NAME)).size).toBe(storage.sizeBytes);
    // Opened again without closing the first (which would fsync): what a restarted process reads.
    const { storage: restarted, recovered } = await open();
    expect(recovered).toEqual({ hardState: committed, entries: range(1, 2, 1) });
    await restarted.close();
    await storage.close();
  });

  it('leaves records that must be synced, and large ones, to the thread pool', async () => {
    const { storage } = await open();
    const asyncWrite = await spyOnFileHandle('write');
    await storage.persist(request({ entries: range(1, 1, 1) }));
    expect(asyncWrite).toHaveBeenCalledTimes(1);
    await storage.persist(request({ entries: range(2, 200, 1), mustSync: false }));
    expect(asyncWrite).toHaveBeenCalledTimes(2);
    await storage.close();
    const { storage: reopened, recovered } = await open();
    expect(recovered.entries).toEqual(range(1, 200, 1));
    await reopened.close();
  });

  it('treats a failed synchronous write as fatal, like any failed write', async () => {
    const onFatal = jest.fn();
    const { storage } = await FileDurableStorage.open<Cmd>(dir, { logger: () => undefined, onFatal });
    mockWriteSyncFailure = new Error('EIO: i/o error');
    await expect(storage.persist(request({ hardState: committed, mustSync: false }))).rejects.toThrow(
      /write failed \(EIO: i\/o error\)/,
    );
    expect(onFatal).toHaveBeenCalledTimes(1);
    await expect(storage.persist(request({ entries: range(1, 1, 1) }))).rejects.toThrow(
      /unusable after an earlier failure/,
    );
    await storage.close();
  });
});
