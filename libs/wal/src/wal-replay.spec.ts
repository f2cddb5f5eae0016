import { crc32 } from 'node:zlib';
import type { LogEntry } from '@app/replicated-log';
import { defined } from '../../../test/support/defined';
import { flipBits } from '../test/flip-bits';
import { WalCorruptionError } from './wal-corruption.error';
import { RECORD_HEADER_BYTES, encodeRecord } from './wal-record';
import type { WalRecord } from './wal-record';
import { replayWal } from './wal-replay';

const PATH = '/data/n1/wal.log';
const entry = (index: number, term: number): LogEntry<string> => ({
  index,
  term,
  leaderTimeMs: 0,
  body: { type: 'command', command: `c${index}` },
});
const records: WalRecord<string>[] = [
  { t: 'entries', entries: [entry(1, 1), entry(2, 1)] },
  { t: 'hardState', hardState: { term: 1, votedFor: 'n2', commitIndex: 1 } },
  { t: 'entries', entries: [entry(3, 1)] },
];
const encoded = records.map((record) => encodeRecord(record));
const whole = Buffer.concat(encoded);
const lastStart = whole.length - defined(encoded[2], 'the last record').length;

function corruptionOf(data: Buffer): WalCorruptionError {
  try {
    replayWal(PATH, data);
  } catch (error) {
    expect(error).toBeInstanceOf(WalCorruptionError);
    return error as WalCorruptionError;
  }
  throw new Error('expected replayWal to throw');
}

describe('replayWal', () => {
  it('returns every record of an intact file', () => {
    expect(replayWal(PATH, whole)).toEqual({ records, validLength: whole.length, tornTail: null });
  });

  it('accepts an empty file', () => {
    expect(replayWal(PATH, Buffer.alloc(0))).toEqual({ records: [], validLength: 0, tornTail: null });
  });

  it.each([
    ['a cut header', lastStart + 3],
    ['a cut payload', whole.length - 4],
  ])('treats %s in the last record as a torn tail', (_name, cutAt) => {
    const replay = replayWal(PATH, whole.subarray(0, cutAt));
    expect(replay.records).toEqual(records.slice(0, 2));
    expect(replay.validLength).toBe(lastStart);
    expect(replay.tornTail?.offset).toBe(lastStart);
  });

  it('treats a checksum failure in the last record as a torn tail', () => {
    const data = Buffer.from(whole);
    flipBits(data, data.length - 2, 0x01);
    const replay = replayWal(PATH, data);
    expect(replay.records).toEqual(records.slice(0, 2));
    expect(replay.validLength).toBe(lastStart);
    expect(replay.tornTail?.reason).toMatch(/checksum/);
  });

  it('treats a zero-filled tail and a lone garbage header as torn', () => {
    const zeros = replayWal(PATH, Buffer.concat([whole, Buffer.alloc(100)]));
    expect(zeros.validLength).toBe(whole.length);
    expect(zeros.records).toEqual(records);
    const garbageHeader = Buffer.alloc(RECORD_HEADER_BYTES, 0xff);
    expect(replayWal(PATH, Buffer.concat([whole, garbageHeader])).validLength).toBe(whole.length);
  });

  it('refuses a checksum failure followed by more records, naming file and offset', () => {
    const data = Buffer.from(whole);
    const offset = defined(encoded[0], 'the first record').length;
    flipBits(data, offset + RECORD_HEADER_BYTES + 1, 0x01);
    const error = corruptionOf(data);
    expect(error.offset).toBe(offset);
    expect(error.path).toBe(PATH);
    expect(error.message).toMatch(
      `WAL ${PATH} is corrupt at byte offset ${offset}: checksum mismatch; refusing to start. `,
    );
    // The way out it names is the safe one: remove the member before it rejoins empty.
    expect(error.message).toMatch(/remove it from the cluster \(DELETE \/cluster\/members\/\{id\}.*--join/);
  });

  it('refuses an absurd length followed by more bytes', () => {
    const data = Buffer.from(whole);
    data.writeUInt32BE(0x7fffffff, 0);
    expect(corruptionOf(data).offset).toBe(0);
  });

  it('refuses a CRC-valid record that is not a WAL record, even at the tail', () => {
    const data = Buffer.concat([whole, encodeBogus('[1,2]')]);
    expect(corruptionOf(data).offset).toBe(whole.length);
  });
});

/** A record with a correct header around an arbitrary payload. */
function encodeBogus(json: string): Buffer {
  const payload = Buffer.from(json);
  const header = Buffer.alloc(RECORD_HEADER_BYTES);
  header.writeUInt32BE(payload.length, 0);
  header.writeUInt32BE(crc32(payload), 4);
  return Buffer.concat([header, payload]);
}

describe('replayWal: a corrupt length in the middle', () => {
  it('is corruption, not a torn tail, when intact records follow', () => {
    const records = [1, 2, 3].map((i) =>
      encodeRecord({ t: 'hardState', hardState: { term: i, votedFor: null, commitIndex: 0 } }),
    );
    const data = Buffer.concat(records);
    // Make the second record's length run past the end of the file.
    data.writeUInt32BE(0x00ffffff, defined(records[0], 'the first record').length);
    expect(() => replayWal('/data/wal.log', data)).toThrow(/corrupt at byte offset/);
  });
});
