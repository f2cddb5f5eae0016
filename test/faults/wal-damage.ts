import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SeededRandom } from '@app/workload';

/**
 * Damages the tail of a stopped node's WAL the way a crash mid-write can: zeros from a
 * preallocated sector, a header cut short, or a header promising more bytes than follow.
 * Bytes that were fsync'd are never touched (a write acknowledged after fsync must survive),
 * so a correct node restarts by cutting the damaged tail off.
 */
export function damageWalTail(dataDir: string, rng: SeededRandom): string {
  const file = join(dataDir, 'wal.log');
  const kind = rng.pick(['zeros', 'short-header', 'torn-record'] as const);
  if (kind === 'zeros') appendFileSync(file, Buffer.alloc(512));
  else if (kind === 'short-header') appendFileSync(file, randomBytes(3));
  else {
    const header = Buffer.alloc(8);
    header.writeUInt32BE(4096, 0);
    header.writeUInt32BE(0xdeadbeef, 4);
    appendFileSync(file, Buffer.concat([header, randomBytes(100)]));
  }
  return kind;
}
