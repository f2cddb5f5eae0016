import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LogEntry } from '@app/replicated-log';
import { FileDurableStorage, WAL_FILE_NAME } from './file-durable-storage';
import { STORAGE_ID_FILE_NAME, openStorageIdentity } from './storage-identity';
import { MAX_PAYLOAD_BYTES, encodeRecord } from './wal-record';

type Cmd = { op: string };

const entry = (index: number): LogEntry<Cmd> => ({
  index,
  term: 1,
  leaderTimeMs: 0,
  body: { type: 'command', command: { op: `op-${index}` } },
});

describe('WAL edges', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'latchkey-wal-edges-'));
  });

  afterEach(async () => {
    jest.useRealTimers();
    await fsp.rm(dir, { recursive: true, force: true });
  });

  it('refuses to encode a record larger than replay accepts', () => {
    const op = 'x'.repeat(MAX_PAYLOAD_BYTES);
    expect(() =>
      encodeRecord<Cmd>({
        t: 'write',
        entries: [{ ...entry(1), body: { type: 'command', command: { op } } }],
        hardState: null,
        syncedBytes: 0,
      }),
    ).toThrow(RangeError);
  });

  it('warns on stderr by default when it cuts a torn tail', async () => {
    await fsp.writeFile(path.join(dir, WAL_FILE_NAME), Buffer.from([0, 0, 0, 9, 1, 2]));
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const { storage, recovered } = await FileDurableStorage.open<Cmd>(dir);
      await storage.close();
      expect(recovered.entries).toEqual([]);
      expect(stderr).toHaveBeenCalledWith(
        expect.stringMatching(/torn tail at byte offset 0 .*6 -> 0 bytes\n$/),
      );
    } finally {
      stderr.mockRestore();
    }
  });

  it('with the unsafe deferral, answers a persist before its bytes reach the file', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const { storage } = await FileDurableStorage.open<Cmd>(dir, { logger: () => undefined });
    storage.unsafeDeferWrites(1_000);
    await storage.persist({ entries: [entry(1), entry(2)], hardState: null, mustSync: true });
    const walPath = path.join(dir, WAL_FILE_NAME);
    expect(storage.sizeBytes).toBeGreaterThan(0);
    // Answered, yet nothing is on disk until the deferral's time has passed.
    expect((await fsp.stat(walPath)).size).toBe(0);
    await jest.advanceTimersByTimeAsync(1_000);
    for (let turn = 0; (await fsp.stat(walPath)).size < storage.sizeBytes; turn++) {
      if (turn > 10_000) throw new Error('the deferred write never reached the file');
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect((await fsp.stat(walPath)).size).toBe(storage.sizeBytes);
    await storage.close();
    const reopened = await FileDurableStorage.open<Cmd>(dir, { logger: () => undefined });
    expect(reopened.recovered.entries.map((e) => e.index)).toEqual([1, 2]);
    await reopened.storage.close();
  });

  it('passes on an identity file it cannot read for another reason than its absence', async () => {
    await fsp.mkdir(path.join(dir, STORAGE_ID_FILE_NAME));
    await expect(openStorageIdentity(dir, false)).rejects.toMatchObject({ code: 'EISDIR' });
  });
});
