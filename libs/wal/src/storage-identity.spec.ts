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
  it('writes the identity it gives a log that lost its file, and keeps it from then on', async () => {
    fs.writeFileSync(path.join(dir, 'wal.log'), 'a log with entries');
    const created = await openStorageIdentity(dir, false);
    expect(created).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(fs.readFileSync(path.join(dir, STORAGE_ID_FILE_NAME), 'utf8')).toBe(`${created}\n`);
    expect(await openStorageIdentity(dir, false)).toBe(created);
  });

  it('refuses to start on an identity file it cannot read for another reason than its absence, and writes none', async () => {
    // A symbolic link to itself: reading it fails with ELOOP, not ENOENT.
    const file = path.join(dir, STORAGE_ID_FILE_NAME);
    fs.symlinkSync(STORAGE_ID_FILE_NAME, file);
    await expect(openStorageIdentity(dir, false)).rejects.toMatchObject({ code: 'ELOOP' });
    expect(fs.readlinkSync(file)).toBe(STORAGE_ID_FILE_NAME);
    expect(fs.readdirSync(dir)).toEqual([STORAGE_ID_FILE_NAME]);
  });

  it('quotes no more than the first 40 characters of a damaged identity file', async () => {
    const file = path.join(dir, STORAGE_ID_FILE_NAME);
    fs.writeFileSync(file, `${'z'.repeat(40)}${'y'.repeat(1_000)}\n`);
    await expect(openStorageIdentity(dir, false)).rejects.toThrow(
      `storage identity ${file} is unreadable ("${'z'.repeat(40)}")`,
    );
  });
});
