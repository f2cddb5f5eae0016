import { Inject, Injectable } from '@nestjs/common';
import { MessagePatterns, type ReadIndexResponse } from '@app/protocol';
import { NODE_OPTIONS, ReplicaService, type NodeOptions, unsafeTestSwitches } from '@app/replica';
import { LeaderForwarder } from './leader-forwarder';
import { ok, type LockApiResult } from './lock-api-error';
import { LockOwnersReadModel } from './lock-owners.read-model';
import type { ReadConsistency } from './queries/check-lock.query';

/** Test-only negative control (see unsafe-test-switches.ts). */
const UNSAFE_READ_WITHOUT_QUORUM = unsafeTestSwitches().has('read-without-quorum');

/**
 * Makes a read wait until this node's read model is recent enough: at least `minIndex`,
 * and for a linearizable read at least the leader's confirmed commit index (ReadIndex,
 * Raft thesis 6.4), so a deposed leader or a lagging follower cannot answer stale data.
 */
@Injectable()
export class ReadBarrier {
  constructor(
    private readonly replica: ReplicaService,
    private readonly forwarder: LeaderForwarder,
    private readonly readModel: LockOwnersReadModel,
    @Inject(NODE_OPTIONS) private readonly options: NodeOptions,
  ) {}

  async wait(consistency: ReadConsistency, minIndex: number): Promise<LockApiResult<void>> {
    let index = minIndex;
    if (consistency === 'linearizable' && !UNSAFE_READ_WITHOUT_QUORUM) {
      const confirmed = await this.confirmedIndex(null);
      if (confirmed.type !== 'ok') return confirmed;
      index = Math.max(index, confirmed.value);
    }
    if (!(await this.readModel.waitForIndex(index, this.options.requestTimeoutMs))) {
      return { type: 'unavailable', reason: `this node has not applied index ${index} yet; retry` };
    }
    return ok(undefined);
  }

  /** The leader's confirmed commit index, asked of the leader when this node does not lead. */
  async confirmedIndex(forwardedBy: string | null): Promise<LockApiResult<number>> {
    if (this.replica.isLeader) {
      const result = await this.replica.readIndex();
      if (result.type === 'index') return ok(result.index);
      return result.type === 'notLeader' ? { type: 'notLeader', leader: result.leader } : result;
    }
    if (forwardedBy !== null) return { type: 'notLeader', leader: this.replica.leader() };
    const forwarded = await this.forwarder.forward<ReadIndexResponse>(MessagePatterns.readIndex, {});
    return forwarded.type === 'ok' ? ok(forwarded.value.index) : forwarded;
  }
}
