import type { CoreFixRevert } from './core-fix-revert';
import type { NodeId } from './ids';

/** Everything the core needs to know about time is counted in ticks. */
export interface RaftConfig {
  id: NodeId;
  /** the identity of this node's storage; see Member.storageId */
  storageId: string;
  /** a follower that hears nothing for a random timeout in [min, max] campaigns (section 5.2) */
  electionTimeoutMinTicks: number;
  electionTimeoutMaxTicks: number;
  heartbeatIntervalTicks: number;
  /** caps one AppendEntries message so a lagging follower catches up in bounded steps */
  maxEntriesPerMessage: number;
  /** take a snapshot every this many committed entries (section 7); 0 or absent: never */
  snapshotEveryEntries?: number;
  /** entries kept in memory behind a snapshot, for followers that are just behind */
  snapshotMarginEntries?: number;
  /** test-only negative control: commit what the leader alone has persisted */
  unsafeCommitWithoutQuorum?: boolean;
  /** test-only: fixes taken back out for a regression seed (see CoreFixRevert); absent means none */
  testOnlyReverts?: ReadonlySet<CoreFixRevert>;
}

export function validateRaftConfig(config: RaftConfig): string | null {
  if (config.storageId.length === 0) return 'storageId must not be empty';
  if (config.heartbeatIntervalTicks < 1) return 'heartbeatIntervalTicks must be at least 1';
  if (config.electionTimeoutMinTicks <= config.heartbeatIntervalTicks) {
    return 'electionTimeoutMinTicks must exceed heartbeatIntervalTicks';
  }
  if (config.electionTimeoutMaxTicks < config.electionTimeoutMinTicks) {
    return 'electionTimeoutMaxTicks must be at least electionTimeoutMinTicks';
  }
  if (config.maxEntriesPerMessage < 1) return 'maxEntriesPerMessage must be at least 1';
  return null;
}
