import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeDurably } from './storage-identity';
import { openPathsUnder, recordSyncs } from '../test/file-handle-calls';

/** The identity files (storage id, cluster id) are replaced whole and made durable. */
describe('writeDurably', () => {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-durably-'));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('syncs the new file before renaming it over the old one, then the directory, and leaves nothing open', async () => {
    const file = path.join(dir, 'id');
    fs.writeFileSync(file, 'old\n');
    const synced = await recordSyncs();
    const realDir = fs.realpathSync(dir);
    await writeDurably(dir, file, 'new\n');
    expect(fs.readFileSync(file, 'utf8')).toBe('new\n');
    expect(fs.readdirSync(dir)).toEqual(['id']);
    expect(synced).toEqual([path.join(realDir, 'id.tmp'), realDir]);
    expect(openPathsUnder(dir)).toEqual([]);
  });
});
