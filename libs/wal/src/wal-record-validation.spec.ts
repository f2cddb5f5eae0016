import { crc32 } from 'node:zlib';
import { RECORD_HEADER_BYTES, decodeRecordAt } from './wal-record';

/** A record whose CRC is right for whatever JSON `value` is: only the shape can be wrong. */
function framed(value: unknown): Buffer {
  const payload = Buffer.from(JSON.stringify(value), 'utf8');
  const header = Buffer.alloc(RECORD_HEADER_BYTES);
  header.writeUInt32BE(payload.length, 0);
  header.writeUInt32BE(crc32(payload), 4);
  return Buffer.concat([header, payload]);
}

const ENTRY = { index: 1, term: 1, leaderTimeMs: 0, body: { type: 'noop' } };
const HARD = { term: 1, votedFor: null, commitIndex: 0 };
const WRITE = { t: 'write', entries: [ENTRY], hardState: HARD, syncedBytes: 0 };

const kindOf = (value: unknown) => decodeRecordAt(framed(value), 0).kind;

describe('WAL record shapes', () => {
  it('accepts each kind of record in its valid forms', () => {
    expect(kindOf(WRITE)).toBe('record');
    expect(kindOf({ ...WRITE, hardState: null })).toBe('record');
    expect(kindOf({ ...WRITE, entries: [] })).toBe('record');
    expect(kindOf({ ...WRITE, syncedBytes: 12 })).toBe('record');
    expect(kindOf({ t: 'entries', entries: [ENTRY] })).toBe('record');
    expect(kindOf({ t: 'entries', entries: [] })).toBe('record');
    expect(kindOf({ t: 'hardState', hardState: HARD })).toBe('record');
    const decoded = decodeRecordAt(framed(WRITE), 0);
    expect(decoded).toEqual({ kind: 'record', record: WRITE, end: framed(WRITE).length });
  });

  it.each([
    ['a JSON string', 'write'],
    ['JSON null', null],
    ['a write with a negative syncedBytes', { ...WRITE, syncedBytes: -1 }],
    ['a write with a fractional syncedBytes', { ...WRITE, syncedBytes: 1.5 }],
    ['a write without syncedBytes', { t: 'write', entries: [ENTRY], hardState: HARD }],
    ['a write whose entries are not an array', { ...WRITE, entries: {} }],
    ['a write with a malformed entry', { ...WRITE, entries: [{ ...ENTRY, term: 'one' }] }],
    ['a write with a malformed hard state', { ...WRITE, hardState: { term: 1 } }],
    ['a write with neither entries nor hard state', { ...WRITE, entries: [], hardState: null }],
    ['an entries record without an array', { t: 'entries', entries: null }],
    ['an entry without an index', { t: 'entries', entries: [{ term: 1, body: {} }] }],
    ['an entry with a fractional term', { t: 'entries', entries: [{ index: 1, term: 1.5, body: {} }] }],
    ['an entry with a non-object body', { t: 'entries', entries: [{ index: 1, term: 1, body: 'x' }] }],
    ['an entry that is null', { t: 'entries', entries: [null] }],
    ['a hard state that is null', { t: 'hardState', hardState: null }],
    ['a hard state without a commitIndex', { t: 'hardState', hardState: { term: 1 } }],
    ['a hard state with a fractional term', { t: 'hardState', hardState: { term: 0.5, commitIndex: 0 } }],
    ['an unknown kind', { t: 'snapshot' }],
    ['a write-shaped record of another kind', { ...WRITE, t: 'other' }],
  ])('refuses %s as invalid, naming why', (_what, value) => {
    const scan = decodeRecordAt(framed(value), 0);
    expect(scan).toMatchObject({
      kind: 'invalid',
      badLength: false,
      reason: expect.stringMatching(/^payload is not/),
    });
  });

  it('names the kind it did not recognise', () => {
    expect(decodeRecordAt(framed({ t: 'snapshot' }), 0)).toEqual({
      kind: 'invalid',
      reason: 'payload is not a WAL record (t="snapshot")',
      badLength: false,
    });
    expect(decodeRecordAt(framed(7), 0)).toMatchObject({ reason: 'payload is not an object' });
  });

  it('says how much of a cut header or record there is', () => {
    const whole = framed(WRITE);
    expect(decodeRecordAt(whole.subarray(0, 5), 0)).toEqual({
      kind: 'truncated',
      reason: 'incomplete record header (5 of 8 bytes)',
    });
    const cut = whole.subarray(0, whole.length - 1);
    expect(decodeRecordAt(cut, 0)).toEqual({
      kind: 'truncated',
      reason: `record of ${whole.length - RECORD_HEADER_BYTES} bytes runs past end of file`,
    });
    // Exactly the header and the payload: not cut.
    expect(decodeRecordAt(whole, 0).kind).toBe('record');
    expect(decodeRecordAt(Buffer.concat([whole, whole]), whole.length)).toMatchObject({
      kind: 'record',
      end: 2 * whole.length,
    });
  });
});
