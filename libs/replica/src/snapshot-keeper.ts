import { Logger } from '@nestjs/common';
import { checkLockTableSnapshot, type LockStateMachine, type LockTableSnapshot } from '@app/lock-table';
import { AssertionError, assert, type SnapshotMeta, type SnapshotPort } from '@app/replicated-log';
import { SnapshotReceiver, decodeSnapshot, type FileDurableStorage, type SnapshotStore } from '@app/wal';
import type { LockCommand } from '@app/lock-table';
import * as fs from 'node:fs/promises';
import type { SnapshotChunkAnswer, SnapshotChunkMessage } from './snapshot-chunk';

/**
 * The node's side of snapshots (Raft section 7, thesis 5.3): saves the lock state machine
 * when the core asks and compacts the WAL behind it; receives a leader's snapshot in
 * chunks; installs it (state machine, then the WAL restarted after it).
 */
export class SnapshotKeeper implements SnapshotPort {
  private readonly logger = new Logger(SnapshotKeeper.name);
  private readonly receiver: SnapshotReceiver;
  /** snapshots received whole, by index-term, until the core installs them */
  private readonly received = new Map<string, LockTableSnapshot>();
  /** how many snapshots this node installed from a leader since it started */
  installed = 0;

  constructor(
    private readonly store: SnapshotStore,
    private readonly wal: () => FileDurableStorage<LockCommand>,
    private readonly machine: LockStateMachine,
    /** the WAL keeps this many entries behind the latest snapshot, for followers just behind */
    private readonly marginEntries: number,
    private readonly restored: (index: number) => void,
  ) {
    this.receiver = new SnapshotReceiver(store);
  }

  /**
   * The copy is made before the first await, so it is the state at `meta.index`; the
   * write and the compaction run beside the Ready cycle. The WAL keeps everything after
   * the older of the two snapshots kept, so a damaged newest one can fall back to it.
   */
  async take(meta: SnapshotMeta): Promise<void> {
    const state = this.machine.snapshot();
    assert(state.appliedIndex === meta.index, `snapshot of ${state.appliedIndex} asked at ${meta.index}`);
    await this.store.write(meta, state);
    const older = this.store.all[1]?.meta.index ?? 0;
    await this.wal().compact(Math.min(older, meta.index - this.marginEntries));
  }

  /** Thesis 5.3: the state machine becomes the snapshot's, and the log restarts after it. */
  async install(meta: SnapshotMeta): Promise<void> {
    const state = await this.stateOf(meta);
    this.received.clear();
    this.machine.restore(state);
    await this.wal().resetTo(meta);
    // Older snapshots cannot be used with the restarted log.
    if (this.store.latest?.meta.index === meta.index) await this.store.keepNewest(1);
    this.installed++;
    this.logger.log(`installed snapshot at index ${meta.index} (term ${meta.term}) from the leader`);
    this.restored(meta.index);
  }

  /** One chunk from the leader; the snapshot's meta once the whole file is here and verified. */
  async receive(
    chunk: SnapshotChunkMessage,
  ): Promise<{ answer: SnapshotChunkAnswer; complete: SnapshotMeta | null }> {
    const { index, term } = chunk.snapshot;
    const held = this.store.all.find((s) => s.meta.index === index && s.meta.term === term);
    if (held !== undefined)
      return { answer: { nextOffset: held.bytes, done: true }, complete: chunk.snapshot };
    const answer = await this.receiver.accept({
      meta: chunk.snapshot,
      totalBytes: chunk.totalBytes,
      offset: chunk.offset,
      data: Buffer.from(chunk.data, 'base64'),
    });
    if (!answer.done) return { answer, complete: null };
    this.received.set(`${index}-${term}`, checkedState(answer.content.state, answer.content.meta));
    return { answer: { nextOffset: answer.nextOffset, done: true }, complete: answer.content.meta };
  }

  private async stateOf(meta: SnapshotMeta): Promise<LockTableSnapshot> {
    const kept = this.received.get(`${meta.index}-${meta.term}`);
    if (kept !== undefined) return kept;
    const stored = this.store.all.find((s) => s.meta.index === meta.index && s.meta.term === meta.term);
    assert(stored !== undefined, `no snapshot at ${meta.index} (term ${meta.term}) to install`);
    const content = decodeSnapshot(await fs.readFile(stored.path));
    if (typeof content === 'string') return assertNever(`snapshot ${stored.path} to install: ${content}`);
    return checkedState(content.state, content.meta);
  }
}

/** A checksummed snapshot whose state is not a lock table's is a bug, not damage. */
export function checkedState(state: unknown, meta: SnapshotMeta): LockTableSnapshot {
  const checked = checkLockTableSnapshot(state);
  if (typeof checked === 'string') return assertNever(`snapshot at ${meta.index}: ${checked}`);
  assert(
    checked.appliedIndex === meta.index,
    `snapshot at ${meta.index} holds state of ${checked.appliedIndex}`,
  );
  return checked;
}

/** A broken invariant with its reason (assert() narrows only booleans). */
function assertNever(reason: string): never {
  throw new AssertionError(reason);
}
