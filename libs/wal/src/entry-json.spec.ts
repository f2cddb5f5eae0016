import { AssertionError, type LogEntry } from '@app/replicated-log';
import { entryJson, jsonWithEntries } from './entry-json';
import { encodeRecord, decodeRecordAt } from './wal-record';

const entry = (index: number, name: string): LogEntry<unknown> => ({
  term: 2,
  index,
  leaderTimeMs: 1_000 + index,
  body: { type: 'command', command: { kind: 'preempt', name, clientId: 'c-1' } },
});

describe('jsonWithEntries', () => {
  it('writes exactly what JSON.stringify writes, wherever the entries key is', () => {
    const entries = [entry(7, 'a'), entry(8, 'ünïcode "quoted" \\ 🔒')];
    const message = {
      type: 'appendEntries',
      // a string that spells the placeholder must not be taken for the key
      from: 'n1"entries":0',
      to: 'n2',
      term: 2,
      prevLogIndex: 6,
      prevLogTerm: 1,
      entries,
      leaderCommit: 6,
      readSeq: 4,
    };
    expect(jsonWithEntries(message)).toBe(JSON.stringify(message));
    expect(jsonWithEntries({ entries: [] })).toBe('{"entries":[]}');
    const record = { t: 'write' as const, entries, hardState: null, syncedBytes: 10 };
    expect(jsonWithEntries(record)).toBe(JSON.stringify(record));
  });

  it('encodes each entry once, however many messages and records carry it', () => {
    const entries = [entry(1, 'a'), entry(2, 'b'), entry(3, 'c')];
    const stringify = jest.spyOn(JSON, 'stringify');
    jsonWithEntries({ to: 'n2', entries });
    jsonWithEntries({ to: 'n3', entries: entries.slice(1) });
    encodeRecord({ t: 'write', entries, hardState: null, syncedBytes: 0 });
    const entryEncodings = stringify.mock.calls.filter(([value]) =>
      entries.includes(value as LogEntry<unknown>),
    );
    stringify.mockRestore();
    expect(entryEncodings).toHaveLength(3);
    expect(entryJson(entries[0]!)).toBe(JSON.stringify(entries[0]));
  });

  it('gives WAL records that decode to what was written', () => {
    const entries = [entry(1, 'a'), entry(2, 'b')];
    const buffer = encodeRecord({
      t: 'write',
      entries,
      hardState: { term: 2, votedFor: null, commitIndex: 1 },
      syncedBytes: 0,
    });
    const scan = decodeRecordAt(buffer, 0);
    expect(scan).toMatchObject({ kind: 'record', record: { t: 'write', entries } });
  });
  it('refuses, rather than write something else, when the placeholder is not the one top-level key', () => {
    const entries = [entry(1, 'a')];
    // A nested object with an `entries` of 0 would spell the placeholder before the real key.
    expect(() => jsonWithEntries({ header: { entries: 0 }, entries })).toThrow(AssertionError);
    expect(() => jsonWithEntries({ entries, trailer: { entries: 0 } })).toThrow(AssertionError);
    // A value that writes itself as something else (toJSON) has no entries key to fill.
    expect(() => jsonWithEntries({ entries, toJSON: () => ({ other: 1 }) })).toThrow(AssertionError);
  });
});
