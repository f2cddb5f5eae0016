import { AssertionError } from '@app/replicated-log';
import type { LogEntry } from '@app/replicated-log';
import { rebuildLog } from './log-rebuild';
import { WalCorruptionError } from './wal-corruption.error';
import { MAX_PAYLOAD_BYTES, RECORD_HEADER_BYTES, decodeRecordAt, encodeRecord } from './wal-record';
import type { WalRecord } from './wal-record';
import { replayWal } from './wal-replay';

const entry = (index: number): LogEntry<string> => ({
  index,
  term: 1,
  leaderTimeMs: 0,
  body: { type: 'command', command: `c${index}` },
});
const HARD = { term: 1, votedFor: 'n1', commitIndex: 1 };
const write = (entries: LogEntry<string>[], syncedBytes: number, hardState = HARD): WalRecord<string> => ({
  t: 'write',
  entries,
  hardState,
  syncedBytes,
});

/** Flips a payload byte of the record at `offset`: a checksum mismatch there. */
function damageAt(data: Buffer, offset: number): Buffer {
  const copy = Buffer.from(data);
  copy[offset + RECORD_HEADER_BYTES + 2] = (copy[offset + RECORD_HEADER_BYTES + 2] ?? 0) ^ 0xff;
  return copy;
}

describe('replayWal: damage followed by records', () => {
  const first = encodeRecord(write([entry(1)], 0));

  it('is a torn tail when only writes made before the damaged one was synced follow', () => {
    const second = encodeRecord(write([entry(2)], first.length));
    // Written before `second` was synced: its syncedBytes does not reach past `second`'s start.
    const third = encodeRecord(write([entry(3)], first.length));
    const data = damageAt(Buffer.concat([first, second, third]), first.length);
    expect(replayWal('/wal', data)).toEqual({
      records: [write([entry(1)], 0)],
      validLength: first.length,
      tornTail: {
        offset: first.length,
        reason: "checksum mismatch, followed only by writes made before it was fsync'd",
      },
    });
  });

  it('is corruption when a later record says the damaged one had been synced', () => {
    const second = encodeRecord(write([entry(2)], first.length));
    const third = encodeRecord(write([entry(3)], first.length + second.length));
    const data = damageAt(Buffer.concat([first, second, third]), first.length);
    expect(() => replayWal('/wal', data)).toThrow(WalCorruptionError);
  });

  it('is corruption when a checksum mismatch is followed by bytes that are no record', () => {
    const second = encodeRecord(write([entry(2)], first.length));
    const data = damageAt(Buffer.concat([first, second, Buffer.from('garbage!!')]), first.length);
    expect(() => replayWal('/wal', data)).toThrow(/checksum mismatch/);
  });

  it('names an implausible length in the corruption it reports', () => {
    const bad = Buffer.alloc(RECORD_HEADER_BYTES);
    bad.writeUInt32BE(0, 0);
    const synced = encodeRecord(write([entry(2)], first.length + bad.length));
    const data = Buffer.concat([first, bad, synced]);
    expect(() => replayWal('/wal', data)).toThrow(/implausible record length 0/);
  });
});

describe('decodeRecordAt at the length limit', () => {
  it('takes a header announcing exactly the largest payload for a cut record, not garbage', () => {
    const header = Buffer.alloc(RECORD_HEADER_BYTES);
    header.writeUInt32BE(MAX_PAYLOAD_BYTES, 0);
    expect(decodeRecordAt(header, 0)).toMatchObject({ kind: 'truncated' });
  });
});

describe('rebuildLog', () => {
  it('keeps the hard state when a later write carries none', () => {
    expect(rebuildLog([write([entry(1)], 0), write([entry(2)], 0, null as never)])).toEqual({
      hardState: HARD,
      entries: [entry(1), entry(2)],
    });
  });

  it('refuses an empty entries record, a gap and a broken run, naming the record', () => {
    expect(() => rebuildLog([{ t: 'entries', entries: [] }])).toThrow(AssertionError);
    expect(() => rebuildLog([{ t: 'entries', entries: [] }])).toThrow('WAL record #0: empty entries record');
    expect(() => rebuildLog([write([entry(1)], 0), write([entry(3)], 0)])).toThrow(
      'WAL record #1: entries start at index 3, but the log ends at 1',
    );
    expect(() => rebuildLog([{ t: 'entries', entries: [entry(0)] }])).toThrow(/start at index 0/);
    expect(() => rebuildLog([{ t: 'entries', entries: [entry(1), entry(3)] }])).toThrow(
      'WAL record #0: entry index 3 at position 1 breaks the run starting at 1',
    );
  });
});
