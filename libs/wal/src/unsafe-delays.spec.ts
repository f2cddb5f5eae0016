import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileDurableStorage, WAL_FILE_NAME } from './file-durable-storage';
import { encodeSnapshot } from './snapshot-file';
import { SnapshotReceiver } from './snapshot-receiver';
import { SnapshotStore, snapshotFileName } from './snapshot-store';
import { range, request, type Cmd } from '../test/persist-requests';
import { snapshotMeta as meta } from '../test/snapshot-meta';

/**
 * The test-only switches the fault suites use to crash a node at a chosen moment: each must
 * really hold the work back until its (fake) time has passed, and then finish it.
 */
describe('test-only delays in the WAL and the snapshot files', () => {
  let dir: string;

  /** How long real file I/O may take to catch up, on the real clock (only timers are faked). */
  const IO_DEADLINE_MS = 20_000;

  /** Lets fake time pass, 100 ms a step, until `done` holds (real file I/O runs in between). */
  async function passTimeUntil(description: string, done: () => boolean | Promise<boolean>): Promise<void> {
    const deadline = Date.now() + IO_DEADLINE_MS;
    while (!(await done())) {
      if (Date.now() > deadline) throw new Error(`${description} never happened`);
      await jest.advanceTimersByTimeAsync(100);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Turns of the event loop, with fake time standing still, until `done` holds (real file I/O runs meanwhile). */
  async function turnsUntil(description: string, done: () => boolean): Promise<void> {
    const deadline = Date.now() + IO_DEADLINE_MS;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`${description} never happened`);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-unsafe-'));
    // Date stays real: it measures the deadlines above.
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'Date'] });
  });
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('deferred WAL writes: answered at once, then written in order and fsync\u2019d, hard states included', async () => {
    const { storage } = await FileDurableStorage.open<Cmd>(dir, { logger: () => undefined });
    const handle = await fsp.open(path.join(dir, WAL_FILE_NAME), 'r');
    const sync = jest.spyOn(Object.getPrototypeOf(handle), 'sync');
    await handle.close();
    storage.unsafeDeferWrites(1_000);
    await storage.persist(request({ entries: range(1, 3, 1) }));
    await storage.persist(request({ entries: range(4, 5, 1) }));
    await storage.persist(request({ hardState: { term: 1, votedFor: 'n1', commitIndex: 5 } }));
    await storage.persist(request({ entries: range(6, 6, 1) }));
    expect(fs.statSync(storage.path).size).toBe(0);
    await passTimeUntil('the fourth deferred fsync', () => sync.mock.calls.length >= 4);
    expect(fs.statSync(storage.path).size).toBe(storage.sizeBytes);
    await storage.close();
    const { storage: again, recovered } = await FileDurableStorage.open<Cmd>(dir, {
      logger: () => undefined,
    });
    expect(recovered.entries.map((e) => e.index)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(recovered.hardState).toEqual({ term: 1, votedFor: 'n1', commitIndex: 5 });
    await again.close();
  });

  it('a snapshot write pauses before its fsync and rename until the delay has passed', async () => {
    const { store } = await SnapshotStore.open(dir, () => undefined);
    store.unsafeDelayMs = 1_000;
    let written = false;
    const writing = store.write(meta(10, 1), { n: 1 }).then(() => (written = true));
    await turnsUntil('the pause or the end of the write', () => written || jest.getTimerCount() > 0);
    expect(written).toBe(false);
    expect(jest.getTimerCount()).toBe(1);
    expect(fs.existsSync(path.join(dir, snapshotFileName(10, 1)))).toBe(false);
    await passTimeUntil('the snapshot write', () => written);
    await writing;
    expect(store.latest?.meta).toEqual({ index: 10, term: 1 });
  });

  it('a received chunk pauses after it is appended, before it is answered', async () => {
    const { store } = await SnapshotStore.open(dir, () => undefined);
    store.unsafeDelayMs = 900;
    const file = encodeSnapshot(meta(40, 2), { n: 2 });
    let answered = false;
    const answer = new SnapshotReceiver(store)
      .accept({ meta: meta(40, 2), totalBytes: file.length, offset: 0, data: file.subarray(0, 10) })
      .then((a) => ((answered = true), a));
    await turnsUntil('the pause or the answer', () => answered || jest.getTimerCount() > 0);
    expect(answered).toBe(false);
    expect(jest.getTimerCount()).toBe(1);
    await passTimeUntil('the answer', () => answered);
    expect(await answer).toEqual({ nextOffset: 10, done: false });
  });
});
