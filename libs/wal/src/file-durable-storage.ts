import { existsSync, writeSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { assert } from '@app/replicated-log';
import type {
  DurableStorage,
  HardState,
  LogIndex,
  PersistRequest,
  RecoveredState,
  SnapshotMeta,
  Term,
} from '@app/replicated-log';
import { LogRebuilder, assertAppendable } from './log-rebuild';
import { encodeRecord, type WalRecord } from './wal-record';
import { replayWal } from './wal-replay';
import {
  FIRST_SEGMENT_NAME,
  compactableSegments,
  listSegments,
  segmentName,
  type WalSegment,
} from './wal-segments';
import { readSealedSegment } from './wal-stream-reader';

export const WAL_FILE_NAME = FIRST_SEGMENT_NAME;
/** The default size at which the WAL moves on to a new segment file. */
export const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;
/**
 * A record this small that needs no fsync (a new commit index, say) is written with a
 * synchronous call: it only reaches the page cache, which takes microseconds, and it spares
 * the thread-pool round trip that would otherwise stand between a commit and its answer.
 */
const WRITE_NOW_MAX_BYTES = 4096;

export interface FileDurableStorageOptions {
  /** one-line operational messages (e.g. the torn-tail warning); defaults to stderr */
  logger?: (msg: string) => void;
  /** called once when a write or fsync fails; defaults to logging and process.exit(1) */
  onFatal?: (error: Error) => void;
  /** start a new segment file once the current one has this many bytes */
  segmentBytes?: number;
  /** the snapshot the state machine restarts from: replay keeps only the entries after it */
  snapshot?: SnapshotMeta;
}

export interface OpenedWal<C> {
  storage: FileDurableStorage<C>;
  recovered: RecoveredState<C>;
}

/**
 * The replicated log's disk: a sequence of append-only segment files in `<dataDir>`
 * (`wal.log`, then `wal-0000000001.log`, ...), a new one begun once the current one
 * reaches `segmentBytes`. A follower overwriting a conflicting suffix appends a record
 * that starts at a lower index instead of rewriting a file; replay applies the same rule,
 * so every file stays append-only. Segments whose entries a snapshot covers are deleted
 * (`compact`), and a snapshot installed from the leader restarts the log (`resetTo`).
 */
export class FileDurableStorage<C> implements DurableStorage<C> {
  private inFlight = false;
  private unsafeDeferMs = 0;
  private unsafeDeferred: Promise<void> = Promise.resolve();
  private closed = false;
  /** set once a write or fsync failed; after that nothing touches the file again */
  private failure: Error | null = null;

  /** how much of the file the last completed fsync made durable */
  private syncedBytes: number;

  /** the latest hard state written, repeated at the start of each new segment */
  private hardState: HardState | null;

  private constructor(
    private readonly dataDir: string,
    private readonly segments: WalSegment[],
    private handle: FileHandle,
    private lastIndex: LogIndex,
    recovered: HardState,
    private readonly segmentBytes: number,
    private readonly onFatal: (error: Error) => void,
  ) {
    // open() synced the file before constructing this.
    this.syncedBytes = this.current.bytes;
    this.hardState = recovered;
  }

  private get current(): WalSegment {
    const last = this.segments.at(-1);
    assert(last !== undefined, 'a WAL without segments');
    return last;
  }

  private get filePath(): string {
    return this.current.path;
  }

  private get bytes(): number {
    return this.current.bytes;
  }

  private set bytes(value: number) {
    this.current.bytes = value;
  }

  /**
   * Creates or recovers the WAL, reading it as a stream: segment by segment, record by
   * record, keeping only the entries after `options.snapshot`. Rejects with
   * WalCorruptionError if it is damaged before its tail (only the last segment can have
   * a torn tail), and with an Error if it does not reach back to the snapshot.
   */
  static async open<C>(dataDir: string, options: FileDurableStorageOptions = {}): Promise<OpenedWal<C>> {
    const logger = options.logger ?? writeToStderr;
    const found = existsSync(dataDir) ? await listSegments(dataDir) : [];
    if (found.length === 0) await ensureWalFile(dataDir, nodePath.join(dataDir, WAL_FILE_NAME));
    const segments = found.length > 0 ? found : await listSegments(dataDir);
    const rebuilder = new LogRebuilder<C>(options.snapshot);
    for (const segment of segments.slice(0, -1)) {
      for await (const record of readSealedSegment<C>(segment.path)) addRecord(rebuilder, segment, record);
      segment.bytes = (await fs.stat(segment.path)).size;
    }
    const last = segments.at(-1)!;
    const data = await fs.readFile(last.path);
    // Replay before opening for append, so a corrupt file leaves no open handle behind.
    const replay = replayWal<C>(last.path, data);
    for (const record of replay.records) addRecord(rebuilder, last, record);
    last.bytes = replay.validLength;
    const rebuilt = rebuilder.finish();
    if (typeof rebuilt === 'string') throw new Error(`WAL in ${dataDir}: ${rebuilt}; refusing to start`);
    const handle = await fs.open(last.path, 'a');
    if (replay.tornTail !== null) {
      const { offset, reason } = replay.tornTail;
      logger(
        `WAL ${last.path}: torn tail at byte offset ${offset} (${reason}); ` +
          `truncating ${data.length} -> ${replay.validLength} bytes`,
      );
      await handle.truncate(replay.validLength);
    }
    // What was read may sit only in the page cache (a crash between write and fsync): it
    // counts as persisted, and may be acknowledged, only once it is on disk. The same
    // sync keeps a cut torn tail from coming back with good records appended after it.
    await handle.sync();
    await fsyncDirectory(nodePath.resolve(dataDir));
    const onFatal = options.onFatal ?? ((error: Error) => exitOnFatal(logger, error));
    const { recovered } = rebuilt;
    const lastIndex = recovered.entries.at(-1)?.index ?? recovered.snapshot?.index ?? 0;
    const segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    const storage = new FileDurableStorage<C>(
      dataDir,
      segments,
      handle,
      lastIndex,
      recovered.hardState,
      segmentBytes,
      onFatal,
    );
    // The log on disk does not continue the snapshot (a crash while installing one): restart it there.
    if (rebuilt.rebase && recovered.snapshot) await storage.resetTo(recovered.snapshot);
    return { storage, recovered };
  }

  /** Every segment's bytes: the WAL's size on disk. */
  get totalBytes(): number {
    return this.segments.reduce((sum, segment) => sum + segment.bytes, 0);
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  /**
   * Deletes the segments whose entries are all at or below `upTo` (covered by a snapshot
   * on disk), never the one being written. Returns how many went.
   */
  async compact(upTo: LogIndex): Promise<number> {
    const deletable = compactableSegments(this.segments, upTo);
    if (deletable.length === 0) return 0;
    this.segments.splice(0, deletable.length);
    for (const segment of deletable) await fs.rm(segment.path, { force: true });
    await fsyncDirectory(nodePath.resolve(this.dataDir));
    return deletable.length;
  }

  /**
   * Thesis 5.3: after installing a snapshot from the leader, the log restarts right after
   * it. A new segment begins with a `base` record, made durable before the old segments
   * are deleted, so a crash in between replays to the same place.
   */
  async resetTo(snapshot: { index: LogIndex; term: Term }): Promise<void> {
    this.assertUsable('resetTo');
    this.inFlight = true;
    try {
      await this.rotate({ t: 'base', index: snapshot.index, term: snapshot.term });
      await this.guarded('fsync', () => this.handle.sync());
      this.syncedBytes = this.bytes;
      this.lastIndex = snapshot.index;
      this.current.maxIndex = snapshot.index;
    } finally {
      this.inFlight = false;
    }
    const old = this.segments.splice(0, this.segments.length - 1);
    for (const segment of old) await fs.rm(segment.path, { force: true });
    await fsyncDirectory(nodePath.resolve(this.dataDir));
  }

  get path(): string {
    return this.filePath;
  }

  /** The file's length: the valid bytes found at open plus every byte appended since. */
  get sizeBytes(): number {
    return this.bytes;
  }

  async persist(request: PersistRequest<C>, onWritten?: () => void): Promise<void> {
    this.assertUsable('persist');
    let buffer = this.encode(request);
    if (this.unsafeDeferMs > 0) return this.unsafeDeferredPersist(request, buffer);
    this.inFlight = true;
    try {
      if (buffer.length > 0) {
        if (this.bytes > 0 && this.bytes + buffer.length > this.segmentBytes) {
          await this.rotate(null);
          // Again: the record says how much of its own segment an fsync covers.
          buffer = this.encode(request);
        }
        const writeNow = !request.mustSync && buffer.length <= WRITE_NOW_MAX_BYTES;
        await this.guarded('write', () => (writeNow ? this.appendNow(buffer) : this.append(buffer)));
        this.bytes += buffer.length;
        this.lastIndex = request.entries.at(-1)?.index ?? this.lastIndex;
        this.current.maxIndex = Math.max(this.current.maxIndex, this.lastIndex);
        this.hardState = request.hardState ?? this.hardState;
      }
      onWritten?.();
      // Even with nothing to write, a sync makes earlier unsynced appends durable.
      if (request.mustSync) {
        await this.guarded('fsync', () => this.handle.sync());
        this.syncedBytes = this.bytes;
      }
    } finally {
      this.inFlight = false;
    }
  }

  /**
   * Test-only negative control ("ack before fsync"): persist answers at once and the bytes
   * reach the file `ms` later, in order, so a crash in between loses acknowledged entries.
   */
  unsafeDeferWrites(ms: number): void {
    this.unsafeDeferMs = ms;
  }

  private unsafeDeferredPersist(request: PersistRequest<C>, buffer: Buffer): Promise<void> {
    this.bytes += buffer.length;
    this.lastIndex = request.entries.at(-1)?.index ?? this.lastIndex;
    const write = () => this.append(buffer).then(() => this.handle.sync());
    this.unsafeDeferred = this.unsafeDeferred.then(() =>
      new Promise((done) => setTimeout(done, this.unsafeDeferMs)).then(write),
    );
    return Promise.resolve();
  }

  /** Makes everything written durable, then releases the file. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    assert(!this.inFlight, `FileDurableStorage.close on ${this.filePath} while a persist is in flight`);
    this.closed = true;
    try {
      // After a failure the file's state is unknown: syncing again could report false success.
      if (this.failure === null) await this.guarded('fsync', () => this.handle.sync());
    } finally {
      await this.handle.close();
    }
  }

  private assertUsable(operation: string): void {
    assert(!this.closed, `FileDurableStorage.${operation} on ${this.filePath} after close`);
    assert(
      !this.inFlight,
      `FileDurableStorage.${operation} on ${this.filePath} while a persist is in flight; calls must be serialized`,
    );
    if (this.failure !== null) {
      const message = `WAL ${this.filePath} is unusable after an earlier failure: ${this.failure.message}`;
      throw new Error(message, { cause: this.failure });
    }
  }

  /**
   * One record for the whole request: a crash cannot leave a damaged part of this write
   * followed by an intact part of it. Entries and hard state share one checksum, so a
   * commitIndex is never durable without the entries it covers.
   */
  private encode(request: PersistRequest<C>): Buffer {
    if (request.entries.length === 0 && request.hardState === null) return Buffer.alloc(0);
    if (request.entries.length > 0) {
      assertAppendable(request.entries, this.lastIndex, `persist to ${this.filePath}`);
    }
    return encodeRecord<C>({
      t: 'write',
      entries: request.entries,
      hardState: request.hardState,
      syncedBytes: this.syncedBytes,
    });
  }

  /**
   * Seals the current segment (fsync'd whole: replay treats damage in a sealed segment as
   * corruption, not a torn tail) and begins the next one with `first` or, without it, the
   * hard state, so deleting earlier segments never loses the term and vote.
   */
  private async rotate(first: WalRecord<C> | null): Promise<void> {
    await this.guarded('fsync', () => this.handle.sync());
    const seq = this.current.seq + 1;
    const path = nodePath.join(this.dataDir, segmentName(seq));
    const handle = await fs.open(path, 'a');
    await fsyncDirectory(nodePath.resolve(this.dataDir));
    await this.handle.close();
    this.handle = handle;
    this.segments.push({ seq, path, bytes: 0, maxIndex: 0 });
    this.syncedBytes = 0;
    const opening =
      first ??
      (this.hardState ? { t: 'write', entries: [], hardState: this.hardState, syncedBytes: 0 } : null);
    if (opening === null) return;
    const buffer = encodeRecord<C>(opening);
    await this.guarded('write', () => this.append(buffer));
    this.bytes += buffer.length;
  }

  /** One write call for the record: it lands at the end as a unit, or is a torn tail. */
  private async append(buffer: Buffer): Promise<void> {
    const { bytesWritten } = await this.handle.write(buffer, 0, buffer.length, null);
    if (bytesWritten !== buffer.length) {
      throw new Error(`short write: ${bytesWritten} of ${buffer.length} bytes`);
    }
  }

  /** `append` without leaving the event loop's thread: for small records that need no fsync. */
  private appendNow(buffer: Buffer): void {
    const bytesWritten = writeSync(this.handle.fd, buffer, 0, buffer.length, null);
    if (bytesWritten !== buffer.length) {
      throw new Error(`short write: ${bytesWritten} of ${buffer.length} bytes`);
    }
  }

  /**
   * The only place disk errors are caught. A failed write or fsync is never retried: after a
   * failed fsync the kernel may have dropped the dirty pages, and a retry could "succeed".
   */
  private async guarded(what: 'write' | 'fsync', operation: () => Promise<void> | void): Promise<void> {
    try {
      await operation();
    } catch (cause) {
      const detail = cause instanceof Error ? cause.message : String(cause);
      const message = `WAL ${this.filePath}: ${what} failed (${detail}); durable state unknown, not retrying`;
      this.failure = new Error(message, { cause });
      this.onFatal(this.failure);
      throw this.failure;
    }
  }
}

/** Creates the directory and file if missing, and makes their directory entries durable. */
async function ensureWalFile(dataDir: string, filePath: string): Promise<void> {
  const firstCreated = await fs.mkdir(dataDir, { recursive: true });
  const fileCreated = !existsSync(filePath);
  if (fileCreated) await (await fs.open(filePath, 'a')).close();
  // A new name is durable only once the directory holding it is fsync'd.
  const toSync = fileCreated ? [nodePath.resolve(dataDir)] : [];
  if (firstCreated !== undefined) {
    // Each created directory's name lives in its parent, up to the parent of the first one.
    const first = nodePath.resolve(firstCreated);
    let dir = nodePath.resolve(dataDir);
    while (dir !== nodePath.dirname(dir)) {
      toSync.push(nodePath.dirname(dir));
      if (dir === first) break;
      dir = nodePath.dirname(dir);
    }
  }
  for (const dir of toSync) await fsyncDirectory(dir);
}

async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function writeToStderr(msg: string): void {
  process.stderr.write(`${msg}\n`);
}

function exitOnFatal(logger: (msg: string) => void, error: Error): void {
  logger(`FATAL: ${error.message}; exiting`);
  process.exit(1);
}

/** Feeds one replayed record to the rebuilder, noting the highest index its segment wrote. */
function addRecord<C>(rebuilder: LogRebuilder<C>, segment: WalSegment, record: WalRecord<C>): void {
  rebuilder.add(record);
  const highest =
    record.t === 'base' ? record.index : record.t === 'hardState' ? 0 : (record.entries.at(-1)?.index ?? 0);
  segment.maxIndex = Math.max(segment.maxIndex, highest);
}
