import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { STORAGE_ID_FILE_NAME, openStorageIdentity } from './storage-identity';

describe('openStorageIdentity', () => {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-identity-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('creates an identity with the data directory and keeps it while the log holds entries', async () => {
    const created = await openStorageIdentity(dir, true);
    expect(created).toMatch(/^[0-9a-f-]{36}$/);
    expect(fs.readFileSync(path.join(dir, STORAGE_ID_FILE_NAME), 'utf8')).toBe(`${created}\n`);
    expect(await openStorageIdentity(dir, false)).toBe(created);
    expect(await openStorageIdentity(dir, false)).toBe(created);
  });

  it('gives an empty log a new identity even if the old file survived (only the WAL was deleted)', async () => {
    const first = await openStorageIdentity(dir, true);
    const second = await openStorageIdentity(dir, true);
    expect(second).not.toBe(first);
    expect(await openStorageIdentity(dir, false)).toBe(second);
  });

  it('gives a log without an identity file a new one: it cannot prove it is the storage the cluster knows', async () => {
    const first = await openStorageIdentity(dir, true);
    fs.rmSync(path.join(dir, STORAGE_ID_FILE_NAME));
    const second = await openStorageIdentity(dir, false);
    expect(second).not.toBe(first);
  });

  it('refuses to start on a damaged identity file rather than guess', async () => {
    fs.writeFileSync(path.join(dir, STORAGE_ID_FILE_NAME), 'not an id\n');
    await expect(openStorageIdentity(dir, false)).rejects.toThrow(/storage identity .* is unreadable/);
  });
});
