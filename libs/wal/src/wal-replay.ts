import { RECORD_HEADER_BYTES, decodeRecordAt } from './wal-record';
import type { RecordScan, WalRecord } from './wal-record';
import { WalCorruptionError } from './wal-corruption.error';

/** Where the torn tail starts and why it is one. */
export interface TornTail {
  offset: number;
  reason: string;
}

export interface WalReplay<C> {
  records: WalRecord<C>[];
  /** bytes of whole, valid records; less than the file size when the tail is torn */
  validLength: number;
  tornTail: TornTail | null;
}

/**
 * Decodes a whole WAL file. A crash can only damage what was written since the last
 * completed fsync: the last record, or a record followed only by records written before
 * an fsync covered it (each `write` record says how far the file was synced). Such damage
 * is a torn tail, cut off with everything after it; any other damage is not what a crash
 * does and throws WalCorruptionError (`path` only names the file in it).
 */
export function replayWal<C>(path: string, data: Buffer): WalReplay<C> {
  const records: WalRecord<C>[] = [];
  let offset = 0;
  while (offset < data.length) {
    const scan = decodeRecordAt<C>(data, offset);
    if (scan.kind === 'record') {
      records.push(scan.record);
      offset = scan.end;
      continue;
    }
    const tornReason = tornTailReason(scan, data, offset);
    if (tornReason === null) throw new WalCorruptionError(path, offset, damageReason(scan));
    return { records, validLength: offset, tornTail: { offset, reason: tornReason } };
  }
  return { records, validLength: offset, tornTail: null };
}

type Damage<C> = Exclude<RecordScan<C>, { kind: 'record' }>;

/** Why the damaged record at `offset` is a torn tail, or null when it is corruption. */
function tornTailReason<C>(scan: Damage<C>, data: Buffer, offset: number): string | null {
  // A corrupt length can make a record seem to run past the end; if an intact record
  // follows somewhere, this is damage in the middle, unless no fsync had covered it yet.
  const next = nextRecordOffset(data, offset + 1);
  if (next !== null) {
    if (!onlyUnsyncedWritesFrom(data, next, offset)) return null;
    return `${damageReason(scan)}, followed only by writes made before it was fsync'd`;
  }
  switch (scan.kind) {
    case 'truncated':
      return scan.reason;
    case 'checksumMismatch':
      if (scan.end === data.length) return 'checksum mismatch in the last record';
      break;
    case 'invalid':
      // A garbage header with nothing after it is as harmless as a cut one.
      if (offset + RECORD_HEADER_BYTES === data.length) return `${scan.reason} in the last header`;
      // The page holding the last record's header was lost while later pages of the same
      // write landed: no intact record follows, so the damage is confined to the last write.
      if (scan.badLength) return `${scan.reason} in the last record`;
      break;
  }
  // A crashed append that some file systems expose as zeros up to the new file size reads
  // as a zero length, an implausible one: the badLength case above.
  return null;
}

function damageReason<C>(scan: Damage<C>): string {
  return scan.kind === 'checksumMismatch' ? 'checksum mismatch' : scan.reason;
}

function nextRecordOffset(data: Buffer, from: number): number | null {
  for (let offset = from; offset + RECORD_HEADER_BYTES <= data.length; offset++) {
    if (decodeRecordAt(data, offset).kind === 'record') return offset;
  }
  return null;
}

/** The records from `from` to the end are all intact writes made before `damagedAt` was synced. */
function onlyUnsyncedWritesFrom(data: Buffer, from: number, damagedAt: number): boolean {
  let offset = from;
  while (offset < data.length) {
    const scan = decodeRecordAt(data, offset);
    if (scan.kind !== 'record' || scan.record.t !== 'write' || scan.record.syncedBytes > damagedAt)
      return false;
    offset = scan.end;
  }
  return true;
}
