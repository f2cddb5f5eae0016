import { Logger } from '@nestjs/common';
import * as fs from 'node:fs/promises';
import { firstValueFrom, timeout } from 'rxjs';
import { MessagePatterns } from '@app/protocol';
import type { InstallSnapshotMessage, NodeId } from '@app/replicated-log';
import type { SnapshotStore, StoredSnapshot } from '@app/wal';
import { describeError } from './describe-error';
import { SNAPSHOT_CHUNK_BYTES, type SnapshotChunkAnswer, type SnapshotChunkMessage } from './snapshot-chunk';
import { TcpClientPool } from './tcp-client-pool';

/** After a transfer ends, the same snapshot is not sent to the same follower again for this long. */
const QUIET_AFTER_DONE_MS = 3_000;
const QUIET_AFTER_FAILURE_MS = 500;

interface Transfer {
  key: string;
  running: boolean;
  quietUntilMs: number;
}

/**
 * Moves the leader's snapshot to a follower that needs it (Raft section 7, thesis 5.3), in
 * chunks of at most SNAPSHOT_CHUNK_BYTES, one at a time, each answered with the offset the
 * follower wants next. The core asks for the snapshot on every heartbeat to that follower;
 * one transfer per follower runs at a time. A dropped connection ends the transfer, and the
 * next one resumes at the follower's offset. Chunks travel on their own connections, so
 * heartbeats are not queued behind them.
 */
export class SnapshotSender {
  private readonly logger = new Logger(SnapshotSender.name);
  private readonly clients = new TcpClientPool();
  private readonly transfers = new Map<NodeId, Transfer>();

  constructor(
    private readonly store: () => SnapshotStore,
    private readonly ownTcpAddress: string,
    private readonly chunkTimeoutMs: number,
    /** adds the cluster id and, with a cluster secret, the seal */
    private readonly seal: (chunk: SnapshotChunkMessage) => SnapshotChunkMessage = (chunk) => chunk,
  ) {}

  offer(message: InstallSnapshotMessage, address: string): void {
    const key = `${message.snapshot.index}-${message.snapshot.term}`;
    const current = this.transfers.get(message.to);
    if (current && current.key === key && (current.running || performance.now() < current.quietUntilMs))
      return;
    const transfer: Transfer = { key, running: true, quietUntilMs: 0 };
    this.transfers.set(message.to, transfer);
    const ended = (quietMs: number) => {
      transfer.running = false;
      transfer.quietUntilMs = performance.now() + quietMs;
    };
    void this.run(message, address).then(
      (done) => ended(done ? QUIET_AFTER_DONE_MS : QUIET_AFTER_FAILURE_MS),
      (error: unknown) => {
        // The network edge: a lost connection or a timeout ends this attempt; the next resumes.
        this.logger.warn(`snapshot to ${message.to} interrupted (${describeError(error)}); it resumes`);
        ended(QUIET_AFTER_FAILURE_MS);
      },
    );
  }

  close(): Promise<void> {
    return this.clients.close();
  }

  /** True once the follower holds the whole snapshot. */
  private async run(message: InstallSnapshotMessage, address: string): Promise<boolean> {
    const { index, term } = message.snapshot;
    const stored = this.store().all.find((s) => s.meta.index === index && s.meta.term === term);
    // A newer snapshot replaced it meanwhile; the core asks again with that one.
    if (stored === undefined) return false;
    const handle = await fs.open(stored.path, 'r');
    try {
      let offset = 0;
      let chunks = 0;
      for (;;) {
        const data = Buffer.alloc(Math.min(SNAPSHOT_CHUNK_BYTES, stored.bytes - offset));
        await handle.read(data, 0, data.length, offset);
        const answer = await this.sendChunk(address, this.seal(this.chunk(message, stored, offset, data)));
        chunks++;
        if (answer.done) {
          this.logger.log(`sent snapshot at ${index} (term ${term}, ${stored.bytes} bytes) to ${message.to}`);
          return true;
        }
        if (
          !Number.isSafeInteger(answer.nextOffset) ||
          answer.nextOffset < 0 ||
          answer.nextOffset > stored.bytes
        )
          return false;
        if (chunks > 2 + (stored.bytes / SNAPSHOT_CHUNK_BYTES) * 4) return false;
        offset = answer.nextOffset;
      }
    } finally {
      await handle.close();
    }
  }

  private chunk(
    message: InstallSnapshotMessage,
    stored: StoredSnapshot,
    offset: number,
    data: Buffer,
  ): SnapshotChunkMessage {
    return {
      fromTcpAddress: this.ownTcpAddress,
      from: message.from,
      to: message.to,
      term: message.term,
      snapshot: message.snapshot,
      totalBytes: stored.bytes,
      offset,
      data: data.toString('base64'),
    };
  }

  private sendChunk(address: string, chunk: SnapshotChunkMessage): Promise<SnapshotChunkAnswer> {
    return firstValueFrom(
      this.clients
        .get(address)
        .send<SnapshotChunkAnswer>(MessagePatterns.snapshotChunk, chunk)
        .pipe(timeout(this.chunkTimeoutMs)),
    );
  }
}
