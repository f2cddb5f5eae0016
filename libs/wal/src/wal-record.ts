import { crc32 } from 'node:zlib';
import type { HardState, LogEntry } from '@app/replicated-log';
import { jsonWithEntries } from './entry-json';

/**
 * One unit of the write-ahead log. On disk a record is
 * `[u32 BE payload length][u32 BE crc32 of payload][payload]`, the payload being UTF-8 JSON
 * of this object. The length prefix lets replay find record boundaries; the CRC tells a
 * torn or rotten record from a good one.
 *
 * Every persist writes exactly one `write` record, so a power loss that lands the pages of
 * one append out of order damages only that record. `syncedBytes` is how much of the file an
 * fsync had made durable when the record was written: damage beyond it followed only by
 * such records is what a crash before the next fsync leaves (see replayWal). The `entries`
 * and `hardState` records are what earlier versions wrote (two per persist); replay still
 * reads them.
 */
export type WalRecord<C> =
  | { t: 'write'; entries: LogEntry<C>[]; hardState: HardState | null; syncedBytes: number }
  /**
   * The log restarts after a snapshot installed from the leader (thesis 5.3): everything
   * before this record is replaced. The first record of a fresh segment.
   */
  | { t: 'base'; index: number; term: number }
  | { t: 'entries'; entries: LogEntry<C>[] }
  | { t: 'hardState'; hardState: HardState };

export const RECORD_HEADER_BYTES = 8;
/** No real record comes near this; a larger length prefix can only be garbage. */
export const MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;

/** What decoding at one offset found. Replay decides whether a failure is a torn tail. */
export type RecordScan<C> =
  | { kind: 'record'; record: WalRecord<C>; end: number }
  /** the header or the payload runs past the end of the buffer */
  | { kind: 'truncated'; reason: string }
  /** the payload is all there but its CRC does not match; `end` is where it stops */
  | { kind: 'checksumMismatch'; end: number }
  /** an implausible length (`badLength`), or a CRC-valid payload that is not a record */
  | { kind: 'invalid'; reason: string; badLength: boolean };

export function encodeRecord<C>(record: WalRecord<C>): Buffer {
  // Entries are usually encoded already, for the AppendEntries that carried them.
  const json =
    record.t === 'write' || record.t === 'entries' ? jsonWithEntries(record) : JSON.stringify(record);
  const payload = Buffer.from(json, 'utf8');
  if (payload.length > MAX_PAYLOAD_BYTES) {
    // Replay would reject it as garbage, so writing it would brick the node on restart.
    throw new RangeError(`WAL record of ${payload.length} bytes exceeds the ${MAX_PAYLOAD_BYTES} limit`);
  }
  const header = Buffer.alloc(RECORD_HEADER_BYTES);
  header.writeUInt32BE(payload.length, 0);
  header.writeUInt32BE(crc32(payload), 4);
  return Buffer.concat([header, payload]);
}

/** Decodes the record starting at `offset`; never throws, failures are values. */
export function decodeRecordAt<C>(buffer: Buffer, offset: number): RecordScan<C> {
  const remaining = buffer.length - offset;
  if (remaining < RECORD_HEADER_BYTES) {
    const reason = `incomplete record header (${remaining} of ${RECORD_HEADER_BYTES} bytes)`;
    return { kind: 'truncated', reason };
  }
  const length = buffer.readUInt32BE(offset);
  const expectedCrc = buffer.readUInt32BE(offset + 4);
  // A payload is never empty (it is a JSON object), so 0 is as implausible as a huge length.
  if (length === 0 || length > MAX_PAYLOAD_BYTES) {
    return { kind: 'invalid', reason: `implausible record length ${length}`, badLength: true };
  }
  const start = offset + RECORD_HEADER_BYTES;
  const end = start + length;
  if (end > buffer.length) {
    return { kind: 'truncated', reason: `record of ${length} bytes runs past end of file` };
  }
  const payload = buffer.subarray(start, end);
  if (crc32(payload) !== expectedCrc) return { kind: 'checksumMismatch', end };
  const parsed = parseRecord<C>(payload);
  if (typeof parsed === 'string') return { kind: 'invalid', reason: parsed, badLength: false };
  return { kind: 'record', record: parsed, end };
}

/** Returns the record, or why the payload is not one. */
function parseRecord<C>(payload: Buffer): WalRecord<C> | string {
  let value: unknown;
  try {
    value = JSON.parse(payload.toString('utf8'));
  } catch (error) {
    // JSON.parse reports bad input only by throwing; turn exactly that into a value.
    return `payload is not JSON (${(error as Error).message})`;
  }
  if (typeof value !== 'object' || value === null) return 'payload is not an object';
  const record = value as Record<string, unknown>;
  if (record.t === 'entries' && Array.isArray(record.entries) && record.entries.every(isEntryLike)) {
    return record as unknown as WalRecord<C>;
  }
  if (record.t === 'base' && Number.isSafeInteger(record.index) && Number.isSafeInteger(record.term)) {
    return record as unknown as WalRecord<C>;
  }
  if (record.t === 'hardState' && isHardStateLike(record.hardState)) {
    return record as unknown as WalRecord<C>;
  }
  if (
    record.t === 'write' &&
    Number.isSafeInteger(record.syncedBytes) &&
    (record.syncedBytes as number) >= 0 &&
    Array.isArray(record.entries) &&
    record.entries.every(isEntryLike) &&
    (record.hardState === null || isHardStateLike(record.hardState)) &&
    (record.entries.length > 0 || record.hardState !== null)
  ) {
    return record as unknown as WalRecord<C>;
  }
  return `payload is not a WAL record (t=${JSON.stringify(record.t)})`;
}

function isEntryLike(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return Number.isInteger(entry.index) && Number.isInteger(entry.term) && typeof entry.body === 'object';
}

function isHardStateLike(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const hardState = value as Record<string, unknown>;
  return Number.isInteger(hardState.term) && Number.isInteger(hardState.commitIndex);
}
