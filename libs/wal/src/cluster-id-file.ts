import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { writeDurably } from './storage-identity';

export const CLUSTER_ID_FILE_NAME = 'cluster-id';

const CLUSTER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The cluster this data directory belongs to, or null if it belongs to none yet (a new
 * directory, or one written before clusters had an identity). A file that exists but
 * does not hold an id stops the node: guessing would risk joining the wrong cluster.
 */
export async function readClusterId(dataDir: string): Promise<string | null> {
  const filePath = nodePath.join(dataDir, CLUSTER_ID_FILE_NAME);
  const text = await fs.readFile(filePath, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (text === null) return null;
  const id = text.trim();
  if (!CLUSTER_ID.test(id))
    throw new Error(`cluster identity ${filePath} is unreadable (${JSON.stringify(id.slice(0, 40))})`);
  return id;
}

/** Stores the cluster id durably (fsync of file and directory) before the node acts on it. */
export async function writeClusterId(dataDir: string, clusterId: string): Promise<void> {
  if (!CLUSTER_ID.test(clusterId)) throw new Error(`not a cluster id: ${JSON.stringify(clusterId)}`);
  await fs.mkdir(dataDir, { recursive: true });
  await writeDurably(dataDir, nodePath.join(dataDir, CLUSTER_ID_FILE_NAME), `${clusterId}\n`);
}
