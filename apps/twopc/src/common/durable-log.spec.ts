import { mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeLog, DurableLog, encodeRecord } from './durable-log';

describe('decodeLog', () => {
  const a = encodeRecord({ t: 'a' });
  const b = encodeRecord({ t: 'b', text: 'naïve ✓' });

  it('reads every complete, checked record', () => {
    const decoded = decodeLog(Buffer.concat([a, b]));
    expect(decoded.records).toEqual([{ t: 'a' }, { t: 'b', text: 'naïve ✓' }]);
    expect(decoded).toMatchObject({ goodBytes: a.length + b.length, tornTailBytes: 0, damagedLines: [] });
  });

  it('treats a record cut short at the end as a torn tail', () => {
    const decoded = decodeLog(Buffer.concat([a, b.subarray(0, 7)]));
    expect(decoded.records).toEqual([{ t: 'a' }]);
    expect(decoded).toMatchObject({ goodBytes: a.length, tornTailBytes: 7, damagedLines: [] });
  });

  it('treats a complete last line with a bad checksum as a torn tail too', () => {
    const bad = Buffer.from(b);
    bad.writeUInt8(bad.readUInt8(12) ^ 0x01, 12);
    expect(decodeLog(Buffer.concat([a, bad]))).toMatchObject({ records: [{ t: 'a' }], damagedLines: [] });
  });

  it('reports damage that good records follow', () => {
    const bad = Buffer.from(a);
    bad.writeUInt8(bad.readUInt8(10) ^ 0x01, 10);
    const decoded = decodeLog(Buffer.concat([bad, b]));
    expect(decoded.records).toEqual([{ t: 'b', text: 'naïve ✓' }]);
    expect(decoded.damagedLines).toEqual([1]);
  });
});

describe('DurableLog', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'twopc-log-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('replays what was appended, and cuts a torn tail off the file', () => {
    const path = join(dir, 'replica.wal');
    const first = DurableLog.openExclusive(path);
    first.log.append({ n: 1 }, { n: 2 });
    first.log.close();
    appendFileSync(path, '0000');
    const again = DurableLog.openExclusive(path);
    expect(again.records).toEqual([{ n: 1 }, { n: 2 }]);
    expect(again.cutBytes).toBe(4);
    again.log.append({ n: 3 });
    again.log.close();
    expect(DurableLog.openExclusive(path).records).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  it('refuses to open a log damaged before its end, naming the line', () => {
    const path = join(dir, 'replica.wal');
    writeFileSync(path, Buffer.concat([Buffer.from('garbage\n'), encodeRecord({ n: 1 })]));
    expect(() => DurableLog.openExclusive(path)).toThrow(/line 1 before the end/);
  });

  it('seals off a crashed writer’s fragment in a shared log, so later records stay readable', () => {
    const path = join(dir, 'decisions.log');
    writeFileSync(path, Buffer.concat([encodeRecord({ n: 1 }), encodeRecord({ n: 2 }).subarray(0, 9)]));
    const log = DurableLog.openShared(path);
    log.append({ n: 3 });
    log.close();
    expect(DurableLog.readShared(path)).toEqual([{ n: 1 }, { n: 3 }]);
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(4);
  });
});
