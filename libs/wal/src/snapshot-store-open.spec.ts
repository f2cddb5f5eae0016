import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeSnapshot } from './snapshot-file';
import { SnapshotStore, snapshotFileName } from './snapshot-store';
import { snapshotMeta as meta } from '../test/snapshot-meta';

/**
 * What opening a data directory makes of the snapshot files in it: leftovers of a crash
 * mid-write go, a file that is not the snapshot its name says is set aside, and the store
 * lists only what it can load.
 */
describe('SnapshotStore.open: the snapshots a data directory holds', () => {
  let dir: string;
  let logged: string[];
  const open = () => SnapshotStore.open(dir, (m) => logged.push(m));
  const put = (name: string, data: Buffer | string) => fs.writeFileSync(path.join(dir, name), data);

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-snap-open-'));
    logged = [];
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('removes a temporary file a crash left behind, and nothing else', async () => {
    put(snapshotFileName(10, 1), encodeSnapshot(meta(10), { upTo: 10 }));
    put(`${snapshotFileName(20, 1)}.tmp`, encodeSnapshot(meta(20), { upTo: 20 }).subarray(0, 30));
    put('wal.log', '');
    put('storage-id', 'x\n');
    const { store, latest } = await open();
    expect(fs.readdirSync(dir).sort()).toEqual([snapshotFileName(10, 1), 'storage-id', 'wal.log']);
    expect(latest).toEqual({ meta: meta(10), state: { upTo: 10 } });
    expect(store.all.map((s) => s.meta)).toEqual([{ index: 10, term: 1 }]);
  });

  it('lists the snapshots newest first, with their sizes', async () => {
    for (const index of [20, 10]) put(snapshotFileName(index, 2), encodeSnapshot(meta(index, 2), { index }));
    const { store } = await open();
    expect(store.all).toEqual(
      [20, 10].map((index) => ({
        meta: { index, term: 2 },
        path: path.join(dir, snapshotFileName(index, 2)),
        bytes: encodeSnapshot(meta(index, 2), { index }).length,
      })),
    );
    expect(store.latest).toBe(store.all[0]);
  });

  it.each([
    ['another term', meta(20, 2), 'it holds index 20 term 2, not what its name says'],
    ['another index', meta(21, 1), 'it holds index 21 term 1, not what its name says'],
  ])(
    'sets aside an intact file that holds %s than its name says, and falls back',
    async (_name, held, reason) => {
      put(snapshotFileName(10, 1), encodeSnapshot(meta(10), { upTo: 10 }));
      const misnamed = path.join(dir, snapshotFileName(20, 1));
      fs.writeFileSync(misnamed, encodeSnapshot(held, { upTo: 20 }));
      const { store, latest } = await open();
      expect(latest).toEqual({ meta: meta(10), state: { upTo: 10 } });
      expect(logged).toEqual([
        `snapshot ${misnamed} is corrupt (${reason}); set aside as .corrupt, falling back to the previous snapshot`,
      ]);
      expect(fs.existsSync(`${misnamed}.corrupt`)).toBe(true);
      expect(store.all.map((s) => s.meta)).toEqual([{ index: 10, term: 1 }]);
    },
  );

  it('forgets every snapshot it set aside: what it lists is what it can load', async () => {
    put(snapshotFileName(10, 1), encodeSnapshot(meta(10), { upTo: 10 }));
    put(snapshotFileName(20, 1), 'not a snapshot');
    put(snapshotFileName(30, 1), encodeSnapshot(meta(30), { upTo: 30 }).subarray(0, 40));
    const { store, latest } = await open();
    expect(latest?.meta).toEqual(meta(10));
    expect(store.all.map((s) => s.meta.index)).toEqual([10]);
    expect(store.latest?.meta).toEqual({ index: 10, term: 1 });
    expect(logged).toHaveLength(2);

    // Once every file is set aside, the store is empty.
    fs.writeFileSync(path.join(dir, snapshotFileName(10, 1)), 'damaged too');
    const again = await open();
    expect(again.latest).toBeNull();
    expect(again.store.all).toEqual([]);
    expect(again.store.latest).toBeNull();
  });
});
