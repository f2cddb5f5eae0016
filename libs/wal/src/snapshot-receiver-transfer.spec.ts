import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeSnapshot } from './snapshot-file';
import { SnapshotReceiver, type SnapshotChunk } from './snapshot-receiver';
import { SnapshotStore, snapshotFileName } from './snapshot-store';
import { snapshotMeta as meta } from '../test/snapshot-meta';

/** The file of a snapshot and its chunks as the leader sends them. */
function transfer(
  index: number,
  term: number,
  file = encodeSnapshot(meta(index, term), { big: 'y'.repeat(10_000) }),
) {
  return {
    file,
    chunk: (offset: number, size = 3_000): SnapshotChunk => ({
      meta: meta(index, term),
      totalBytes: file.length,
      offset,
      data: file.subarray(offset, Math.min(file.length, offset + size)),
    }),
  };
}

/** How a transfer resumes, restarts, and what it leaves in the data directory. */
describe('SnapshotReceiver: the transfer of one snapshot', () => {
  let dir: string;
  let store: SnapshotStore;
  const files = () => fs.readdirSync(dir).sort();

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-recv-xfer-'));
    store = (await SnapshotStore.open(dir, () => undefined)).store;
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('answers each chunk but the last with the offset to go on from', async () => {
    const { chunk } = transfer(40, 2);
    const receiver = new SnapshotReceiver(store);
    expect(await receiver.accept(chunk(0))).toEqual({ nextOffset: 3_000, done: false });
    expect(await receiver.accept(chunk(3_000, 1_000))).toEqual({ nextOffset: 4_000, done: false });
    // A chunk repeated or skipped ahead is answered with where the file stands.
    expect(await receiver.accept(chunk(0))).toEqual({ nextOffset: 4_000, done: false });
    expect(await receiver.accept(chunk(8_000))).toEqual({ nextOffset: 4_000, done: false });
    expect(files()).toEqual(['incoming-40-2.part']);
  });

  it('after a restart, goes on from the bytes already on disk', async () => {
    const { file, chunk } = transfer(40, 2);
    await new SnapshotReceiver(store).accept(chunk(0));
    const restarted = new SnapshotReceiver((await SnapshotStore.open(dir, () => undefined)).store);
    expect(await restarted.accept(chunk(6_000))).toEqual({ nextOffset: 3_000, done: false });
    const last = await restarted.accept(chunk(3_000, file.length));
    expect(last).toMatchObject({ nextOffset: file.length, done: true });
    expect(files()).toEqual([snapshotFileName(40, 2)]);
  });

  it('a chunk of another snapshot drops the transfer under way and starts its own', async () => {
    const first = transfer(40, 2);
    const second = transfer(50, 3);
    const receiver = new SnapshotReceiver(store);
    await receiver.accept(first.chunk(0));
    expect(await receiver.accept(second.chunk(0, 1_000))).toEqual({ nextOffset: 1_000, done: false });
    expect(files()).toEqual(['incoming-50-3.part']);
    const last = await receiver.accept(second.chunk(1_000, second.file.length));
    expect(last.done).toBe(true);
    expect(store.latest?.meta).toEqual({ index: 50, term: 3 });
  });

  it('a new transfer deletes the partial file of another snapshot, and nothing else', async () => {
    await store.write(meta(30, 1), { old: true });
    fs.writeFileSync(path.join(dir, 'wal.log'), '');
    fs.writeFileSync(path.join(dir, 'incoming-35-1.part'), 'left by an earlier transfer');
    const { chunk } = transfer(40, 2);
    expect(await new SnapshotReceiver(store).accept(chunk(0))).toEqual({ nextOffset: 3_000, done: false });
    expect(files()).toEqual(['incoming-40-2.part', snapshotFileName(30, 1), 'wal.log']);
  });

  it.each([
    ['another term', meta(40, 3)],
    ['another index', meta(41, 2)],
  ])('discards an intact file of %s than announced, and starts over', async (_name, held) => {
    const { file, chunk } = transfer(40, 2, encodeSnapshot(held, { n: 1 }));
    const receiver = new SnapshotReceiver(store);
    expect(await receiver.accept(chunk(0, file.length))).toEqual({ nextOffset: 0, done: false });
    expect(store.latest).toBeNull();
    expect(files()).toEqual([]);
  });

  it('fails a chunk when its partial file cannot be read, rather than start over', async () => {
    // A symbolic link to itself: stat fails with ELOOP, not ENOENT.
    fs.symlinkSync('incoming-40-2.part', path.join(dir, 'incoming-40-2.part'));
    const { chunk } = transfer(40, 2);
    await expect(new SnapshotReceiver(store).accept(chunk(3_000))).rejects.toMatchObject({ code: 'ELOOP' });
  });
});
