import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';

export const STORAGE_ID_FILE_NAME = 'storage-id';

const STORAGE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The identity of this data directory, recorded in the membership when the node joins.
 * A directory whose log is empty gets a new identity, kept or not: it holds no entry and
 * no vote the cluster may count on, so whatever it claims to be, it is new storage. A node
 * that lost its directory (or only its log) therefore comes back as a stranger under its
 * old id, and the cluster refuses it a voter's place until the old member is removed.
 */
export async function openStorageIdentity(dataDir: string, logIsEmpty: boolean): Promise<string> {
  const filePath = nodePath.join(dataDir, STORAGE_ID_FILE_NAME);
  if (!logIsEmpty) {
    const existing = await readIdentity(filePath);
    if (existing !== null) return existing;
  }
  const created = randomUUID();
  await writeDurably(dataDir, filePath, `${created}\n`);
  return created;
}

async function readIdentity(filePath: string): Promise<string | null> {
  const text = await fs.readFile(filePath, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (text === null) return null;
  const id = text.trim();
  if (!STORAGE_ID.test(id))
    throw new Error(`storage identity ${filePath} is unreadable (${JSON.stringify(id.slice(0, 40))})`);
  return id;
}

/** Write, fsync, rename over, fsync the directory: the file is either the old one or the new one. */
export async function writeDurably(dataDir: string, filePath: string, text: string): Promise<void> {
  const temporary = `${filePath}.tmp`;
  const handle = await fs.open(temporary, 'w');
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(temporary, filePath);
  const directory = await fs.open(dataDir, 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}
