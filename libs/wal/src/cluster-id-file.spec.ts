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
  it('passes on a file it cannot read for another reason than its absence', async () => {
    fs.mkdirSync(path.join(dir, CLUSTER_ID_FILE_NAME));
    await expect(readClusterId(dir)).rejects.toMatchObject({ code: 'EISDIR' });
  });

  it('quotes no more than the first 40 characters of a damaged file', async () => {
    const file = path.join(dir, CLUSTER_ID_FILE_NAME);
    fs.writeFileSync(file, `${'z'.repeat(40)}${'y'.repeat(1_000)}\n`);
    await expect(readClusterId(dir)).rejects.toThrow(
      `cluster identity ${file} is unreadable ("${'z'.repeat(40)}")`,
    );
  });

  it('writes into a directory that exists already, replacing an earlier id', async () => {
    const other = '1c2d3e4f-5a6b-4c7d-8e9f-a0b1c2d3e4f5';
    await writeClusterId(dir, ID);
    await writeClusterId(dir, other);
    expect(await readClusterId(dir)).toBe(other);
    expect(fs.readdirSync(dir)).toEqual([CLUSTER_ID_FILE_NAME]);
  });
});
