import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SnapshotStore, snapshotFileName } from './snapshot-store';
import { snapshotMeta as meta } from '../test/snapshot-meta';

/** Which snapshots the store keeps, in memory and on disk, whatever order they arrive in. */
describe('SnapshotStore: the two newest snapshots are kept', () => {
  let dir: string;
  const snapshotFiles = () =>
    fs
      .readdirSync(dir)
      .filter((n) => n.endsWith('.snap'))
      .sort();

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-snap-keep-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('lists two after three writes, the newest first, and holds only their files', async () => {
    const { store } = await SnapshotStore.open(dir, () => undefined);
    for (const index of [10, 20, 30]) await store.write(meta(index), { index });
    expect(store.all.map((s) => s.meta.index)).toEqual([30, 20]);
    expect(snapshotFiles()).toEqual([snapshotFileName(20, 1), snapshotFileName(30, 1)]);
  });

  it('keeps the newest first when an older snapshot arrives after it', async () => {
    const { store } = await SnapshotStore.open(dir, () => undefined);
    await store.write(meta(10), { index: 10 });
    await store.write(meta(30), { index: 30 });
    await store.write(meta(20), { index: 20 });
    expect(store.latest?.meta).toEqual({ index: 30, term: 1 });
    expect(store.all.map((s) => s.meta.index)).toEqual([30, 20]);
    expect(snapshotFiles()).toEqual([snapshotFileName(20, 1), snapshotFileName(30, 1)]);
  });

  it('writing the same snapshot again replaces it, and the one before stays', async () => {
    const { store } = await SnapshotStore.open(dir, () => undefined);
    await store.write(meta(10), { index: 10 });
    await store.write(meta(20), { index: 20 });
    const again = await store.write(meta(20), { index: 20, again: true });
    expect(store.all.map((s) => s.meta.index)).toEqual([20, 10]);
    expect(store.latest).toBe(again);
    expect(snapshotFiles()).toEqual([snapshotFileName(10, 1), snapshotFileName(20, 1)]);
    const reopened = await SnapshotStore.open(dir, () => undefined);
    expect(reopened.latest?.state).toEqual({ index: 20, again: true });
  });

  it('keepNewest drops the older ones from the list and the disk', async () => {
    const { store } = await SnapshotStore.open(dir, () => undefined);
    await store.write(meta(10), { index: 10 });
    await store.write(meta(20), { index: 20 });
    await store.keepNewest(1);
    expect(store.all.map((s) => s.meta.index)).toEqual([20]);
    expect(snapshotFiles()).toEqual([snapshotFileName(20, 1)]);
    await store.keepNewest(1);
    expect(store.all.map((s) => s.meta.index)).toEqual([20]);
  });
});
