import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { assert } from '@app/replicated-log';
import type { DurableStorage, LogIndex, PersistRequest, RecoveredState } from '@app/replicated-log';
import { assertAppendable, rebuildLog } from './log-rebuild';
import { encodeRecord } from './wal-record';
import { replayWal } from './wal-replay';

export const WAL_FILE_NAME = 'wal.log';

export interface FileDurableStorageOptions {
  /** one-line operational messages (e.g. the torn-tail warning); defaults to stderr */
  logger?: (msg: string) => void;
  /** called once when a write or fsync fails; defaults to logging and process.exit(1) */
  onFatal?: (error: Error) => void;
}

export interface OpenedWal<C> {
  storage: FileDurableStorage<C>;
  recovered: RecoveredState<C>;
}

/**
 * The replicated log's disk: one append-only file, `<dataDir>/wal.log`. A follower
 * overwriting a conflicting suffix appends a record that starts at a lower index instead
 * of rewriting the file; replay applies the same rule, so the file stays append-only.
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

  private constructor(
    private readonly filePath: string,
    private readonly handle: FileHandle,
    private bytes: number,
    private lastIndex: LogIndex,
    private readonly onFatal: (error: Error) => void,
  ) {
    // open() synced the file before constructing this.
    this.syncedBytes = bytes;
  }

  /** Creates or recovers the WAL; rejects with WalCorruptionError if it is damaged before its tail. */
  static async open<C>(dataDir: string, options: FileDurableStorageOptions = {}): Promise<OpenedWal<C>> {
    const logger = options.logger ?? writeToStderr;
    const filePath = nodePath.join(dataDir, WAL_FILE_NAME);
    await ensureWalFile(dataDir, filePath);
    const data = await fs.readFile(filePath);
    // Replay before opening for append, so a corrupt file leaves no open handle behind.
    const replay = replayWal<C>(filePath, data);
    const recovered = rebuildLog(replay.records);
    const handle = await fs.open(filePath, 'a');
    if (replay.tornTail !== null) {
      const { offset, reason } = replay.tornTail;
      logger(
        `WAL ${filePath}: torn tail at byte offset ${offset} (${reason}); ` +
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
    const lastIndex = recovered.entries.at(-1)?.index ?? 0;
    const storage = new FileDurableStorage<C>(filePath, handle, replay.validLength, lastIndex, onFatal);
    return { storage, recovered };
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
    const buffer = this.encode(request);
    if (this.unsafeDeferMs > 0) return this.unsafeDeferredPersist(request, buffer);
    this.inFlight = true;
    try {
      if (buffer.length > 0) {
        await this.guarded('write', () => this.append(buffer));
        this.bytes += buffer.length;
        this.lastIndex = request.entries.at(-1)?.index ?? this.lastIndex;
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

  /** One write call for the record: it lands at the end as a unit, or is a torn tail. */
  private async append(buffer: Buffer): Promise<void> {
    const { bytesWritten } = await this.handle.write(buffer, 0, buffer.length, null);
    if (bytesWritten !== buffer.length) {
      throw new Error(`short write: ${bytesWritten} of ${buffer.length} bytes`);
    }
  }

  /**
   * The only place disk errors are caught. A failed write or fsync is never retried: after a
   * failed fsync the kernel may have dropped the dirty pages, and a retry could "succeed".
   */
  private async guarded(what: 'write' | 'fsync', operation: () => Promise<void>): Promise<void> {
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
