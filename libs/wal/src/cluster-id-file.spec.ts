import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLUSTER_ID_FILE_NAME, readClusterId, writeClusterId } from './cluster-id-file';

const ID = '0b5c8f1e-2d3a-4b6c-8d9e-0f1a2b3c4d5e';

describe('cluster id file', () => {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-cluster-id-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads null from a directory that belongs to no cluster yet, even one not created', async () => {
    expect(await readClusterId(dir)).toBeNull();
    expect(await readClusterId(path.join(dir, 'missing'))).toBeNull();
  });

  it('stores the id as one line and reads it back, creating the directory if needed', async () => {
    const nested = path.join(dir, 'node');
    await writeClusterId(nested, ID);
    expect(fs.readFileSync(path.join(nested, CLUSTER_ID_FILE_NAME), 'utf8')).toBe(`${ID}\n`);
    expect(await readClusterId(nested)).toBe(ID);
    expect(fs.existsSync(path.join(nested, `${CLUSTER_ID_FILE_NAME}.tmp`))).toBe(false);
  });

  it('refuses to guess when the file holds something else', async () => {
    fs.writeFileSync(path.join(dir, CLUSTER_ID_FILE_NAME), 'not-an-id\n');
    await expect(readClusterId(dir)).rejects.toThrow(/cluster identity .* is unreadable/);
  });

  it('refuses to write something that is not a cluster id', async () => {
    await expect(writeClusterId(dir, 'x')).rejects.toThrow(/not a cluster id/);
  });
});
