import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeSnapshot } from './snapshot-file';
import { SnapshotReceiver } from './snapshot-receiver';
import { SnapshotStore, snapshotFileName } from './snapshot-store';
import { openPathsUnder, recordSyncs } from '../test/file-handle-calls';
import { snapshotMeta as meta } from '../test/snapshot-meta';

/**
 * A snapshot is in place only once its bytes and its name are on disk: the file is fsync'd
 * before it is renamed into place, the directory after. Observed through the fsync calls
 * (a power cut cannot be simulated here), and every handle opened for it is closed.
 */
describe('snapshot files: fsync before rename, the directory after', () => {
  let dir: string;
  let realDir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-snap-sync-'));
    realDir = fs.realpathSync(dir);
  });
  afterEach(() => {
    jest.restoreAllMocks();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a written snapshot: its temporary file synced, then its directory; nothing left open', async () => {
    const { store } = await SnapshotStore.open(dir, () => undefined);
    const synced = await recordSyncs();
    await store.write(meta(10, 1), { n: 1 });
    const temporary = path.join(realDir, `${snapshotFileName(10, 1)}.tmp`);
    expect(synced).toEqual([temporary, realDir]);
    expect(openPathsUnder(dir)).toEqual([]);
  });

  it('a received snapshot: its partial file synced before it is adopted, then its directory; nothing left open', async () => {
    const { store } = await SnapshotStore.open(dir, () => undefined);
    const file = encodeSnapshot(meta(40, 2), { n: 2 });
    const synced = await recordSyncs();
    const answer = await new SnapshotReceiver(store).accept({
      meta: meta(40, 2),
      totalBytes: file.length,
      offset: 0,
      data: file,
    });
    expect(answer.done).toBe(true);
    const part = path.join(realDir, 'incoming-40-2.part');
    expect(synced).toEqual([part, realDir]);
    expect(openPathsUnder(dir)).toEqual([]);
  });
});
