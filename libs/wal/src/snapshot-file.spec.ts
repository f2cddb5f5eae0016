import { crc32 } from 'node:zlib';
import type { SnapshotMeta } from '@app/replicated-log';
import { decodeSnapshot, encodeSnapshot } from './snapshot-file';

const meta: SnapshotMeta = {
  index: 40,
  term: 3,
  members: [{ id: 'n1', tcpAddress: 'a:1', httpAddress: 'a:2', storageId: 's' }],
  membershipIndex: 2,
};

/** A snapshot file around `payload` with a correct header: magic, length and checksum. */
function fileAround(payload: string): Buffer {
  const body = Buffer.from(payload, 'utf8');
  const header = Buffer.alloc(16);
  header.write('LKSNAP01', 0, 'latin1');
  header.writeUInt32BE(body.length, 8);
  header.writeUInt32BE(crc32(body), 12);
  return Buffer.concat([header, body]);
}

describe('decodeSnapshot: a snapshot file, or why it is not one', () => {
  it('reads back what encodeSnapshot wrote, state included', () => {
    const state = { locks: ['ünïcode 🔒'], n: 7 };
    expect(decodeSnapshot(encodeSnapshot(meta, state))).toEqual({ meta, state });
    expect(decodeSnapshot(fileAround(JSON.stringify({ meta })))).toEqual({ meta, state: undefined });
  });

  it.each([
    ['an empty file', Buffer.alloc(0)],
    ['the magic alone', Buffer.from('LKSNAP01', 'latin1')],
    ['a header cut after its length', fileAround('{}').subarray(0, 12)],
    ['a header cut one byte short', fileAround('{}').subarray(0, 15)],
    [
      'another magic',
      Buffer.concat([Buffer.from('LKSNAP02'), fileAround(JSON.stringify({ meta })).subarray(8)]),
    ],
  ])('refuses %s as not a snapshot file', (_name, data) => {
    expect(decodeSnapshot(data)).toBe('not a snapshot file (bad header)');
  });

  it('takes a whole header with an empty payload as a header, and the payload as not JSON', () => {
    expect(decodeSnapshot(fileAround(''))).toMatch(/^payload is not JSON \(.+\)$/);
  });

  it('says how the length in the header and the file disagree', () => {
    const file = encodeSnapshot(meta, { n: 1 });
    const length = file.length - 16;
    expect(decodeSnapshot(file.subarray(0, file.length - 5))).toBe(
      `length ${length} does not match the file (${length - 5} bytes of payload)`,
    );
    expect(decodeSnapshot(Buffer.concat([file, Buffer.from('xy')]))).toBe(
      `length ${length} does not match the file (${length + 2} bytes of payload)`,
    );
  });

  it('finds a damaged payload by its checksum', () => {
    const file = encodeSnapshot(meta, { n: 1 });
    file[30] = file[30]! ^ 0x01;
    expect(decodeSnapshot(file)).toBe('checksum mismatch');
  });

  it('says when an intact payload is not JSON', () => {
    expect(decodeSnapshot(fileAround('{"meta":'))).toMatch(/^payload is not JSON \(.+\)$/);
  });

  const { index, term, membershipIndex, members } = meta;
  it.each([
    ['null', null],
    ['a number', 42],
    ['no meta', { state: {} }],
    ['a null meta', { meta: null }],
    ['a meta that is a string', { meta: 'x' }],
    ['no index', { meta: { term, membershipIndex, members } }],
    ['an index that is not an integer', { meta: { index: 1.5, term, membershipIndex, members } }],
    ['no term', { meta: { index, membershipIndex, members } }],
    ['a term that is a string', { meta: { index, term: '3', membershipIndex, members } }],
    ['no membershipIndex', { meta: { index, term, members } }],
    ['members that are no array', { meta: { index, term, membershipIndex, members: {} } }],
  ])('refuses a payload of %s as having no valid meta', (_name, payload) => {
    expect(decodeSnapshot(fileAround(JSON.stringify(payload)))).toBe('payload has no valid meta');
  });
});
