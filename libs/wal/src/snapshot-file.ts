import { crc32 } from 'node:zlib';
import type { SnapshotMeta } from '@app/replicated-log';

/**
 * A snapshot file: `LKSNAP01`, `[u32 BE payload length][u32 BE crc32 of payload]`, then
 * the payload, UTF-8 JSON of `{meta, state}`. The checksum is verified on every load and
 * after every transfer, so a damaged file is never mistaken for a good one.
 */
const MAGIC = Buffer.from('LKSNAP01', 'latin1');
const HEADER_BYTES = MAGIC.length + 8;

export interface SnapshotContent {
  meta: SnapshotMeta;
  /** the state machine's state, checked by its owner */
  state: unknown;
}

export function encodeSnapshot(meta: SnapshotMeta, state: unknown): Buffer {
  const payload = Buffer.from(JSON.stringify({ meta, state }), 'utf8');
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header, 0);
  header.writeUInt32BE(payload.length, MAGIC.length);
  header.writeUInt32BE(crc32(payload), MAGIC.length + 4);
  return Buffer.concat([header, payload]);
}

/** The content, or why the bytes are not a whole, intact snapshot. */
export function decodeSnapshot(data: Buffer): SnapshotContent | string {
  if (data.length < HEADER_BYTES || !data.subarray(0, MAGIC.length).equals(MAGIC))
    return 'not a snapshot file (bad header)';
  const length = data.readUInt32BE(MAGIC.length);
  if (HEADER_BYTES + length !== data.length)
    return `length ${length} does not match the file (${data.length - HEADER_BYTES} bytes of payload)`;
  const payload = data.subarray(HEADER_BYTES);
  if (crc32(payload) !== data.readUInt32BE(MAGIC.length + 4)) return 'checksum mismatch';
  let value: unknown;
  try {
    value = JSON.parse(payload.toString('utf8'));
  } catch (error) {
    // JSON.parse reports bad input only by throwing; turn exactly that into a value.
    return `payload is not JSON (${(error as Error).message})`;
  }
  const content = value as { meta?: Partial<SnapshotMeta>; state?: unknown } | null;
  const meta = content?.meta;
  if (
    typeof meta !== 'object' ||
    meta === null ||
    !Number.isSafeInteger(meta.index) ||
    !Number.isSafeInteger(meta.term) ||
    !Number.isSafeInteger(meta.membershipIndex) ||
    !Array.isArray(meta.members)
  )
    return 'payload has no valid meta';
  return { meta: meta as SnapshotMeta, state: content?.state };
}
