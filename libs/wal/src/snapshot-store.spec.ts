import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeSnapshot } from './snapshot-file';
import { SnapshotReceiver } from './snapshot-receiver';
import { SnapshotStore } from './snapshot-store';
import { flipBits } from '../test/flip-bits';
import { snapshotMeta as meta } from '../test/snapshot-meta';

/** Corrupts one byte of a file in place. */
function flipFileByte(file: string, offset: number): void {
  const data = fs.readFileSync(file);
  flipBits(data, offset, 0xff);
  fs.writeFileSync(file, data);
}

describe('SnapshotStore', () => {
  let dir: string;
  let logged: string[];
  const open = () => SnapshotStore.open(dir, (m) => logged.push(m));
  const snapshotFiles = () =>
    fs
      .readdirSync(dir)
      .filter((n) => n.endsWith('.snap'))
      .sort();

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-snap-'));
    logged = [];
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes atomically, keeps the last two, and loads the newest', async () => {
    const { store, latest } = await open();
    expect(latest).toBeNull();
    for (const index of [10, 20, 30]) await store.write(meta(index), { upTo: index });
    expect(snapshotFiles()).toHaveLength(2);
    expect(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    const reopened = await open();
    expect(reopened.latest).toEqual({ meta: meta(30), state: { upTo: 30 } });
    expect(logged).toEqual([]);
  });

  it('a corrupt latest snapshot falls back to the previous one, and says so', async () => {
    const { store } = await open();
    await store.write(meta(10), { upTo: 10 });
    const newest = await store.write(meta(20), { upTo: 20 });
    flipFileByte(newest.path, 40);
    const reopened = await open();
    expect(reopened.latest).toEqual({ meta: meta(10), state: { upTo: 10 } });
    expect(logged.join('\n')).toMatch(
      /snapshot .*snapshot-0+20-1\.snap is corrupt \(checksum mismatch\).*falling back/,
    );
    expect(fs.existsSync(`${newest.path}.corrupt`)).toBe(true);
  });
});

describe('SnapshotReceiver', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-recv-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const file = encodeSnapshot(meta(40, 2), { big: 'y'.repeat(10_000) });
  const chunk = (offset: number, size = 3_000) => ({
    meta: meta(40, 2),
    totalBytes: file.length,
    offset,
    data: file.subarray(offset, Math.min(file.length, offset + size)),
  });

  it('assembles chunks, verifies, and adopts the file as the newest snapshot', async () => {
    const { store } = await SnapshotStore.open(dir, () => undefined);
    const receiver = new SnapshotReceiver(store);
    let offset = 0;
    for (;;) {
      const answer = await receiver.accept(chunk(offset));
      if (answer.done) {
        expect(answer.content.state).toEqual({ big: 'y'.repeat(10_000) });
        break;
      }
      offset = answer.nextOffset;
    }
    expect(store.latest?.meta).toEqual({ index: 40, term: 2 });
    expect(fs.readdirSync(dir).filter((n) => n.endsWith('.part'))).toEqual([]);
  });

  it('resumes where it stopped after a dropped connection, even in a new process', async () => {
    const { store } = await SnapshotStore.open(dir, () => undefined);
    await new SnapshotReceiver(store).accept(chunk(0));
    // A fresh receiver (the node restarted) is asked from 0 and answers with its offset.
    const receiver = new SnapshotReceiver((await SnapshotStore.open(dir, () => undefined)).store);
    expect(await receiver.accept(chunk(0))).toEqual({ nextOffset: 3_000, done: false });
    const last = await receiver.accept(chunk(3_000, file.length));
    expect(last.done).toBe(true);
  });

  it('a transfer whose bytes do not check out is discarded and starts over', async () => {
    const { store } = await SnapshotStore.open(dir, () => undefined);
    const receiver = new SnapshotReceiver(store);
    const damaged = Buffer.from(file);
    damaged[100] = damaged[100]! ^ 0xff;
    const answer = await receiver.accept({ ...chunk(0), data: damaged });
    expect(answer).toEqual({ nextOffset: 0, done: false });
    expect(store.latest).toBeNull();
  });
});
