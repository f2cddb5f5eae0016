import * as fs from 'node:fs/promises';
import { RECORD_HEADER_BYTES, decodeRecordAt, type WalRecord } from './wal-record';
import { WalCorruptionError } from './wal-corruption.error';

const READ_BYTES = 1024 * 1024;

/**
 * Reads a complete segment (one the WAL has moved past, so fsync'd whole) record by
 * record, holding about one read buffer and one record in memory. Any damage here is
 * corruption, not a torn tail: it throws WalCorruptionError with the file and offset.
 */
export async function* readSealedSegment<C>(path: string): AsyncGenerator<WalRecord<C>> {
  const handle = await fs.open(path, 'r');
  try {
    let buffer = Buffer.alloc(0);
    /** the file offset of buffer[0] */
    let base = 0;
    let eof = false;
    for (;;) {
      const scan = decodeRecordAt<C>(buffer, 0);
      if (scan.kind === 'record') {
        yield scan.record;
        buffer = buffer.subarray(scan.end);
        base += scan.end;
        continue;
      }
      if (buffer.length === 0 && eof) return;
      if (scan.kind !== 'truncated' || eof) {
        const reason = scan.kind === 'checksumMismatch' ? 'checksum mismatch' : scan.reason;
        throw new WalCorruptionError(path, base, `${reason} in a segment the WAL had moved past`);
      }
      const wanted = buffer.length >= RECORD_HEADER_BYTES ? buffer.readUInt32BE(0) + RECORD_HEADER_BYTES : 0;
      const chunk = Buffer.alloc(Math.max(READ_BYTES, wanted - buffer.length));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, base + buffer.length);
      if (bytesRead === 0) eof = true;
      buffer = Buffer.concat([buffer, chunk.subarray(0, bytesRead)]);
    }
  } finally {
    await handle.close();
  }
}
