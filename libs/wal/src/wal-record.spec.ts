import { crc32 } from 'node:zlib';
import type { LogEntry } from '@app/replicated-log';
import { MAX_PAYLOAD_BYTES, RECORD_HEADER_BYTES, decodeRecordAt, encodeRecord } from './wal-record';
import type { WalRecord } from './wal-record';
import { flipBits } from '../test/flip-bits';

const entry = (index: number, term: number): LogEntry<string> => ({
  index,
  term,
  leaderTimeMs: 1000 + index,
  body: { type: 'command', command: `cmd-${index}` },
});

/** A record with an arbitrary payload and a correct header. */
function rawRecord(payload: Buffer): Buffer {
  const header = Buffer.alloc(RECORD_HEADER_BYTES);
  header.writeUInt32BE(payload.length, 0);
  header.writeUInt32BE(crc32(payload), 4);
  return Buffer.concat([header, payload]);
}

describe('wal-record', () => {
  it('lays out [u32 BE length][u32 BE crc32][UTF-8 JSON payload]', () => {
    const record: WalRecord<string> = {
      t: 'hardState',
      hardState: { term: 2, votedFor: 'n1', commitIndex: 7 },
    };
    const bytes = encodeRecord(record);
    const payload = bytes.subarray(RECORD_HEADER_BYTES);
    expect(bytes.readUInt32BE(0)).toBe(payload.length);
    expect(bytes.readUInt32BE(4)).toBe(crc32(payload));
    expect(JSON.parse(payload.toString('utf8'))).toEqual(record);
  });

  it('decodes consecutive records back to what was encoded', () => {
    const first: WalRecord<string> = { t: 'entries', entries: [entry(1, 1), entry(2, 1)] };
    const second: WalRecord<string> = {
      t: 'hardState',
      hardState: { term: 1, votedFor: null, commitIndex: 2 },
    };
    const buffer = Buffer.concat([encodeRecord(first), encodeRecord(second)]);
    const a = decodeRecordAt<string>(buffer, 0);
    expect(a.kind).toBe('record');
    if (a.kind !== 'record') return;
    expect(a.record).toEqual(first);
    const b = decodeRecordAt<string>(buffer, a.end);
    expect(b).toEqual({ kind: 'record', record: second, end: buffer.length });
  });

  it('reports a cut header or payload as truncated', () => {
    const bytes = encodeRecord<string>({ t: 'entries', entries: [entry(1, 1)] });
    expect(decodeRecordAt(bytes.subarray(0, 5), 0).kind).toBe('truncated');
    expect(decodeRecordAt(bytes.subarray(0, bytes.length - 1), 0).kind).toBe('truncated');
  });

  it('round-trips one write of entries and hard state as a single record', () => {
    const record: WalRecord<string> = {
      t: 'write',
      entries: [entry(4, 2), entry(5, 2)],
      hardState: { term: 2, votedFor: null, commitIndex: 4 },
      syncedBytes: 120,
    };
    const bytes = encodeRecord(record);
    expect(decodeRecordAt<string>(bytes, 0)).toEqual({ kind: 'record', record, end: bytes.length });
    const hardStateOnly: WalRecord<string> = {
      t: 'write',
      entries: [],
      hardState: record.hardState,
      syncedBytes: 0,
    };
    expect(decodeRecordAt<string>(encodeRecord(hardStateOnly), 0)).toMatchObject({ record: hardStateOnly });
  });

  it('reports a flipped payload byte as a checksum mismatch', () => {
    const bytes = encodeRecord<string>({ t: 'entries', entries: [entry(1, 1)] });
    flipBits(bytes, RECORD_HEADER_BYTES + 3, 0xff);
    expect(decodeRecordAt(bytes, 0)).toEqual({ kind: 'checksumMismatch', end: bytes.length });
  });

  it('reports implausible lengths and CRC-valid non-records as invalid', () => {
    const huge = Buffer.alloc(RECORD_HEADER_BYTES + 4);
    huge.writeUInt32BE(MAX_PAYLOAD_BYTES + 1, 0);
    expect(decodeRecordAt(huge, 0)).toEqual({
      kind: 'invalid',
      reason: `implausible record length ${MAX_PAYLOAD_BYTES + 1}`,
      badLength: true,
    });
    expect(decodeRecordAt(Buffer.alloc(RECORD_HEADER_BYTES), 0).kind).toBe('invalid');
    expect(decodeRecordAt(rawRecord(Buffer.from('{not json')), 0).kind).toBe('invalid');
    expect(decodeRecordAt(rawRecord(Buffer.from('{"t":"other"}')), 0)).toMatchObject({
      kind: 'invalid',
      badLength: false,
    });
    // A write always carries something.
    expect(
      decodeRecordAt(rawRecord(Buffer.from('{"t":"write","entries":[],"hardState":null,"syncedBytes":0}')), 0)
        .kind,
    ).toBe('invalid');
    expect(decodeRecordAt(rawRecord(Buffer.from('{"t":"entries","entries":[{"index":"x"}]}')), 0).kind).toBe(
      'invalid',
    );
  });
});
