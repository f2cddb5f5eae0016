import type { NodeId, Random } from '@app/replicated-log';
import { pickOne, shuffleInPlace } from './random-choice';
import type { SimulationOptions } from './simulation-options';

export type FaultAction =
  /** with `wipe`, the node comes back with an empty data directory under its old id */
  | { type: 'crash'; nodeId: NodeId; wipe?: boolean }
  | { type: 'restart'; nodeId: NodeId }
  | { type: 'partition'; groups: NodeId[][] }
  | { type: 'heal' }
  | { type: 'dropBurst'; rate: number }
  | { type: 'endDropBurst' }
  /** a server that never answers asks to join; an operator removes it after a while */
  | { type: 'ghostJoin'; removeAfterTicks: number };

/** What the schedule may know of the cluster when it picks a victim. */
export interface ClusterSnapshot {
  down: ReadonlySet<NodeId>;
  leaders: readonly NodeId[];
  /** a wipe now leaves a majority of intact voters (see SimulatedCluster.wipeAllowed) */
  wipeAllowed: boolean;
  /** no ghost is waiting to join or still a member */
  ghostAllowed: boolean;
}

type FaultKind = 'crash' | 'wipe' | 'partition' | 'dropBurst' | 'ghostJoin';

/**
 * Seeded fault injection: at a random rate it crashes a node (often the leader), wipes a
 * crashed node's data directory, splits the network in two, starts a burst of message
 * loss, or lets a server that never answers ask to join; each fault ends after a random time.
 */
export class FaultSchedule {
  private readonly restartAt = new Map<NodeId, number>();
  private healAt: number | null = null;
  private burstEndsAt: number | null = null;

  constructor(
    private readonly random: Random,
    private readonly options: SimulationOptions,
    private readonly nodeIds: readonly NodeId[],
  ) {}

  actionsFor(tick: number, cluster: ClusterSnapshot): FaultAction[] {
    const actions: FaultAction[] = [];
    for (const [nodeId, at] of this.restartAt) {
      if (at <= tick) {
        this.restartAt.delete(nodeId);
        actions.push({ type: 'restart', nodeId });
      }
    }
    if (this.healAt !== null && this.healAt <= tick) {
      this.healAt = null;
      actions.push({ type: 'heal' });
    }
    if (this.burstEndsAt !== null && this.burstEndsAt <= tick) {
      this.burstEndsAt = null;
      actions.push({ type: 'endDropBurst' });
    }
    if (this.random.next() < this.options.faultRate) {
      const started = this.startFault(tick, cluster);
      if (started) actions.push(started);
    }
    return actions;
  }

  private startFault(tick: number, cluster: ClusterSnapshot): FaultAction | null {
    const kinds = this.possibleKinds(cluster);
    if (kinds.length === 0) return null;
    const kind = pickOne(this.random, kinds);
    switch (kind) {
      case 'crash':
        return this.crash(tick, cluster, false);
      case 'wipe':
        return this.crash(tick, cluster, true);
      case 'partition':
        return this.partition(tick, cluster);
      case 'ghostJoin':
        return { type: 'ghostJoin', removeAfterTicks: this.random.intBetween(20, 300) };
      case 'dropBurst':
        this.burstEndsAt = tick + this.random.intBetween(5, 40);
        return { type: 'dropBurst', rate: this.random.intBetween(30, 100) / 100 };
    }
  }

  private possibleKinds(cluster: ClusterSnapshot): FaultKind[] {
    const { faults } = this.options;
    const kinds: FaultKind[] = [];
    const canCrash = cluster.down.size < this.nodeIds.length - 1;
    if (faults.crashes && canCrash) kinds.push('crash');
    if (faults.wipes && canCrash && cluster.wipeAllowed) kinds.push('wipe');
    if (faults.partitions && this.healAt === null) kinds.push('partition');
    if (faults.dropBursts && this.burstEndsAt === null) kinds.push('dropBurst');
    if (faults.ghostJoins && cluster.ghostAllowed) kinds.push('ghostJoin');
    return kinds;
  }

  private crash(tick: number, cluster: ClusterSnapshot, wipe: boolean): FaultAction {
    const up = this.nodeIds.filter((id) => !cluster.down.has(id));
    const leaders = cluster.leaders.filter((id) => !cluster.down.has(id));
    // Leaders are where most of the interesting state is: crash them half the time.
    const pool = leaders.length > 0 && this.random.next() < 0.5 ? leaders : up;
    const nodeId = pickOne(this.random, pool);
    this.restartAt.set(nodeId, tick + this.random.intBetween(5, 150));
    return wipe ? { type: 'crash', nodeId, wipe } : { type: 'crash', nodeId };
  }

  private partition(tick: number, cluster: ClusterSnapshot): FaultAction {
    this.healAt = tick + this.random.intBetween(20, 250);
    const leader = cluster.leaders[0];
    if (leader !== undefined && this.random.next() < 0.4) {
      // Isolating the leader alone forces an election and leaves a stale leader behind.
      return { type: 'partition', groups: [[leader], this.nodeIds.filter((id) => id !== leader)] };
    }
    const shuffled = [...this.nodeIds];
    shuffleInPlace(this.random, shuffled);
    const cut = this.random.intBetween(1, shuffled.length - 1);
    return { type: 'partition', groups: [shuffled.slice(0, cut), shuffled.slice(cut)] };
  }
}
