import { closeSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';

/** What a log file holds, decoded: good records, where the good prefix ends, and damaged lines. */
export interface DecodedLog {
  records: unknown[];
  /** byte length of the prefix that ends with the last good, complete line */
  goodBytes: number;
  /** damaged lines followed by good ones (1-based line numbers): not a torn tail */
  damagedLines: number[];
  /** bytes after the last good line that do not form a good line: a write cut short */
  tornTailBytes: number;
}

const NEWLINE = 0x0a;

/** One record per line: 8 hex digits of CRC32 over the JSON, a space, the JSON. */
export function encodeRecord(record: unknown): Buffer {
  const json = Buffer.from(JSON.stringify(record), 'utf8');
  const crc = crc32(json).toString(16).padStart(8, '0');
  return Buffer.concat([Buffer.from(`${crc} `, 'utf8'), json, Buffer.from('\n', 'utf8')]);
}

function decodeLine(line: Buffer): unknown {
  if (line.length < 10 || line[8] !== 0x20) return undefined;
  const crc = Number.parseInt(line.subarray(0, 8).toString('utf8'), 16);
  const json = line.subarray(9);
  if (!Number.isInteger(crc) || crc32(json) !== crc) return undefined;
  try {
    return JSON.parse(json.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** Pure: splits a log's bytes into records, telling a torn tail from damage before it. */
export function decodeLog(bytes: Buffer): DecodedLog {
  const records: unknown[] = [];
  const damagedLines: number[] = [];
  let pendingDamage: number[] = [];
  let goodBytes = 0;
  let start = 0;
  let lineNumber = 0;
  while (start < bytes.length) {
    const end = bytes.indexOf(NEWLINE, start);
    if (end === -1) break;
    lineNumber++;
    const record = decodeLine(bytes.subarray(start, end));
    start = end + 1;
    if (record === undefined) {
      pendingDamage.push(lineNumber);
      continue;
    }
    damagedLines.push(...pendingDamage);
    pendingDamage = [];
    records.push(record);
    goodBytes = start;
  }
  return { records, goodBytes, damagedLines, tornTailBytes: bytes.length - goodBytes };
}

/**
 * An append-only file of CRC-checked JSON lines. `append` returns only after fsync, so a
 * record it returned from survives a crash; a write cut short by a crash is a torn tail.
 */
export class DurableLog {
  private constructor(
    readonly path: string,
    private readonly fd: number,
  ) {}

  /**
   * Opens (creating) the log of one writer: a torn tail is cut off; damage before the tail
   * is an error naming the file and line, since dropping good records after it would lose data.
   */
  static openExclusive(path: string): { log: DurableLog; records: unknown[]; cutBytes: number } {
    const { fd, decoded } = DurableLog.openAndRead(path);
    if (decoded.damagedLines.length > 0) {
      closeSync(fd);
      throw new Error(`${path}: damaged record at line ${decoded.damagedLines[0]} before the end of the log`);
    }
    if (decoded.tornTailBytes > 0) {
      ftruncateSync(fd, decoded.goodBytes);
      fsyncSync(fd);
    }
    return { log: new DurableLog(path, fd), records: decoded.records, cutBytes: decoded.tornTailBytes };
  }

  /**
   * Opens a log that several processes append to (O_APPEND keeps each small record whole
   * and in one order for all of them). A writer that crashed mid-record leaves a fragment;
   * a newline seals it off so the next record starts clean, and readers skip it.
   */
  static openShared(path: string): DurableLog {
    const { fd, decoded } = DurableLog.openAndRead(path);
    const log = new DurableLog(path, fd);
    if (decoded.tornTailBytes > 0 && !DurableLog.endsWithNewline(path)) log.appendRaw(Buffer.from('\n'));
    return log;
  }

  /** Every good record of a shared log, in file order, skipping fragments of crashed writers. */
  static readShared(path: string): unknown[] {
    return decodeLog(readFileSync(path)).records;
  }

  private static openAndRead(path: string): { fd: number; decoded: DecodedLog } {
    mkdirSync(dirname(path), { recursive: true });
    const fd = openSync(path, 'a+');
    fsyncSync(fd);
    return { fd, decoded: decodeLog(readFileSync(path)) };
  }

  private static endsWithNewline(path: string): boolean {
    const bytes = readFileSync(path);
    return bytes.length === 0 || bytes[bytes.length - 1] === NEWLINE;
  }

  /** Appends the records and fsyncs once; a failed write or fsync ends the process (the caller cannot know what is on disk). */
  append(...records: unknown[]): void {
    if (records.length === 0) return;
    this.appendRaw(Buffer.concat(records.map(encodeRecord)));
  }

  private appendRaw(bytes: Buffer): void {
    try {
      writeSync(this.fd, bytes);
      fsyncSync(this.fd);
    } catch (err: unknown) {
      process.stderr.write(`fatal: cannot write ${this.path}: ${String(err)}\n`);
      process.exit(70);
    }
  }

  close(): void {
    closeSync(this.fd);
  }
}
