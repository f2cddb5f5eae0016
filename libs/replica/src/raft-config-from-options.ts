import type { RaftConfig } from '@app/replicated-log';
import type { NodeOptions } from './node-options';
import { unsafeTestSwitches } from './unsafe-test-switches';

/** The core counts time in ticks; convert once, at the edge. */
export function raftConfigFromOptions(options: NodeOptions, storageId: string): RaftConfig {
  const ticks = (ms: number) => Math.max(1, Math.round(ms / options.tickMs));
  return {
    id: options.id,
    storageId,
    heartbeatIntervalTicks: ticks(options.heartbeatMs),
    electionTimeoutMinTicks: ticks(options.electionTimeoutMinMs),
    electionTimeoutMaxTicks: ticks(options.electionTimeoutMaxMs),
    maxEntriesPerMessage: 256,
    snapshotEveryEntries: options.snapshotEvery,
    snapshotMarginEntries: snapshotMarginEntries(options),
    unsafeCommitWithoutQuorum: unsafeTestSwitches().has('ack-before-quorum'),
  };
}

/**
 * Entries kept behind a snapshot, in memory and in the WAL, so that a follower a little
 * behind (a restart, a slow disk) still gets entries rather than the whole snapshot.
 */
export function snapshotMarginEntries(options: NodeOptions): number {
  return Math.min(1_000, options.snapshotEvery);
}
