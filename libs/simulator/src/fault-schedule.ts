import type { NodeId, Random } from '@app/replicated-log';
import type { SimulationOptions } from './simulation-options';

export type FaultAction =
  | { type: 'crash'; nodeId: NodeId }
  | { type: 'restart'; nodeId: NodeId }
  | { type: 'partition'; groups: NodeId[][] }
  | { type: 'heal' }
  | { type: 'dropBurst'; rate: number }
  | { type: 'endDropBurst' };

/** What the schedule may know of the cluster when it picks a victim. */
export interface ClusterSnapshot {
  down: ReadonlySet<NodeId>;
  leaders: readonly NodeId[];
}

/**
 * Seeded fault injection: at a random rate it crashes a node (often the leader), splits the
 * network in two, or starts a burst of message loss; each fault ends after a random time.
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
    const { faults } = this.options;
    const kinds: Array<'crash' | 'partition' | 'dropBurst'> = [];
    if (faults.crashes && cluster.down.size < this.nodeIds.length - 1) kinds.push('crash');
    if (faults.partitions && this.healAt === null) kinds.push('partition');
    if (faults.dropBursts && this.burstEndsAt === null) kinds.push('dropBurst');
    if (kinds.length === 0) return null;
    const kind = kinds[this.random.intBetween(0, kinds.length - 1)];
    if (kind === 'crash') return this.crash(tick, cluster);
    if (kind === 'partition') return this.partition(tick, cluster);
    this.burstEndsAt = tick + this.random.intBetween(5, 40);
    return { type: 'dropBurst', rate: this.random.intBetween(30, 100) / 100 };
  }

  private crash(tick: number, cluster: ClusterSnapshot): FaultAction {
    const up = this.nodeIds.filter((id) => !cluster.down.has(id));
    const leaders = cluster.leaders.filter((id) => !cluster.down.has(id));
    // Leaders are where most of the interesting state is: crash them half the time.
    const pool = leaders.length > 0 && this.random.next() < 0.5 ? leaders : up;
    const nodeId = pool[this.random.intBetween(0, pool.length - 1)];
    this.restartAt.set(nodeId, tick + this.random.intBetween(5, 150));
    return { type: 'crash', nodeId };
  }

  private partition(tick: number, cluster: ClusterSnapshot): FaultAction {
    this.healAt = tick + this.random.intBetween(20, 250);
    const leader = cluster.leaders[0];
    if (leader !== undefined && this.random.next() < 0.4) {
      // Isolating the leader alone forces an election and leaves a stale leader behind.
      return { type: 'partition', groups: [[leader], this.nodeIds.filter((id) => id !== leader)] };
    }
    const shuffled = [...this.nodeIds];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = this.random.intBetween(0, i);
      [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
    }
    const cut = this.random.intBetween(1, shuffled.length - 1);
    return { type: 'partition', groups: [shuffled.slice(0, cut), shuffled.slice(cut)] };
  }
}
