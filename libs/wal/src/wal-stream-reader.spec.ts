import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LogEntry } from '@app/replicated-log';
import { WalCorruptionError } from './wal-corruption.error';
import { encodeRecord, type WalRecord } from './wal-record';
import { readSealedSegment } from './wal-stream-reader';
import { flipBits } from '../test/flip-bits';
import { openPathsUnder } from '../test/file-handle-calls';

type Cmd = { op: string };

/** A write record of entries first..last whose commands are `bytes` long each. */
function writeRecord(first: number, last: number, bytes = 20): WalRecord<Cmd> {
  const entries: LogEntry<Cmd>[] = [];
  for (let index = first; index <= last; index++)
    entries.push({
      index,
      term: 1,
      leaderTimeMs: 0,
      body: { type: 'command', command: { op: 'x'.repeat(bytes) } },
    });
  return { t: 'write', entries, hardState: null, syncedBytes: 0 };
}

async function readAll(file: string): Promise<WalRecord<Cmd>[]> {
  const records: WalRecord<Cmd>[] = [];
  for await (const record of readSealedSegment<Cmd>(file)) records.push(record);
  return records;
}

/** A segment the WAL has moved past is read record by record, and any damage in it is corruption. */
describe('readSealedSegment', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-sealed-'));
    file = path.join(dir, 'wal-0000000001.log');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Writes the records as one segment; returns where each starts. */
  function writeSegment(records: WalRecord<Cmd>[]): number[] {
    const encoded = records.map((r) => encodeRecord(r));
    fs.writeFileSync(file, Buffer.concat(encoded));
    const starts: number[] = [];
    encoded.reduce((offset, buffer) => (starts.push(offset), offset + buffer.length), 0);
    return starts;
  }

  it('reads nothing from an empty segment', async () => {
    writeSegment([]);
    expect(await readAll(file)).toEqual([]);
  });

  it('reads every record of a segment several read buffers long, one of them larger than a buffer', async () => {
    const records = [writeRecord(1, 3), writeRecord(4, 4, 1_500_000)];
    for (let first = 5; first < 5 + 40 * 10; first += 10) records.push(writeRecord(first, first + 9, 6_000));
    writeSegment(records);
    expect(fs.statSync(file).size).toBeGreaterThan(3 * 1024 * 1024);
    expect(await readAll(file)).toEqual(records);
    expect(openPathsUnder(dir)).toEqual([]);
  });

  it('names the file and the offset of a damaged record after good ones', async () => {
    const records = [writeRecord(1, 2), writeRecord(3, 4), writeRecord(5, 6)];
    const starts = writeSegment(records);
    const data = fs.readFileSync(file);
    flipBits(data, starts[2]! + 20, 0x01);
    fs.writeFileSync(file, data);
    const read: WalRecord<Cmd>[] = [];
    const failure = await (async () => {
      for await (const record of readSealedSegment<Cmd>(file)) read.push(record);
    })().catch((error: unknown) => error);
    expect(read).toEqual(records.slice(0, 2));
    expect(failure).toBeInstanceOf(WalCorruptionError);
    expect(failure).toMatchObject({
      path: file,
      offset: starts[2],
      reason: 'checksum mismatch in a segment the WAL had moved past',
    });
    expect(openPathsUnder(dir)).toEqual([]);
  });

  it('takes a segment that ends inside a record as corruption, not a torn tail', async () => {
    const records = [writeRecord(1, 2), writeRecord(3, 4)];
    const starts = writeSegment(records);
    const size = fs.statSync(file).size;
    fs.truncateSync(file, size - 5);
    const length = size - starts[1]! - 8;
    await expect(readAll(file)).rejects.toMatchObject({
      name: 'WalCorruptionError',
      offset: starts[1],
      reason: `record of ${length} bytes runs past end of file in a segment the WAL had moved past`,
    });
  });

  it('takes a segment that ends inside a record header as corruption', async () => {
    writeSegment([writeRecord(1, 2)]);
    const size = fs.statSync(file).size;
    fs.appendFileSync(file, Buffer.from([0, 0, 1]));
    await expect(readAll(file)).rejects.toMatchObject({
      offset: size,
      reason: 'incomplete record header (3 of 8 bytes) in a segment the WAL had moved past',
    });
  });

  it('closes the file when its reader stops early', async () => {
    writeSegment([writeRecord(1, 2), writeRecord(3, 4)]);
    for await (const record of readSealedSegment<Cmd>(file)) {
      expect(record.t).toBe('write');
      break;
    }
    expect(openPathsUnder(dir)).toEqual([]);
  });
});
