import type { LockCommand } from '@app/lock-table';
import { SeededRandom, type Input, type LogEntry, type NodeId, type RaftConfig, type RecoveredState, type StepResult } from '@app/replicated-log';
import { FailureLatch } from './failure-latch';
import { SafetyChecker } from './invariants';
import { LockWorkload } from './lock-workload';
import { SimulatedDisk } from './simulated-disk';
import { SimulatedNetwork } from './simulated-network';
import { SimulatedNode, memberOf } from './simulated-node';
import type { SimulationOptions } from './simulation-options';
import type { Trace } from './trace';

/** The simulated wall clock: one tick is 10 ms, only used to stamp entries. */
const MS_PER_TICK = 10;
/** Joins are attempted this often, like an operator's `--join` retrying. */
const JOIN_INTERVAL_TICKS = 5;

export interface TickPlan {
  proposals: boolean;
  joins: boolean;
}

/**
 * N simulated servers on one simulated network. A tick delivers the messages that are due,
 * ticks every live node, lets clients propose on a leader and, in join mode, grows the
 * membership one server at a time. Every node's ReadyProcessor is idle when a tick ends.
 */
export class SimulatedCluster {
  readonly nodes: SimulatedNode[] = [];
  readonly network: SimulatedNetwork<LockCommand>;
  readonly checker = new SafetyChecker();
  readonly latch = new FailureLatch();
  private readonly workload: LockWorkload;
  crashes = 0;
  unsyncedWritesLost = 0;

  constructor(
    private readonly options: SimulationOptions,
    private readonly random: SeededRandom,
    private readonly trace: Trace,
  ) {
    this.network = new SimulatedNetwork(this.fork(), options.network);
    this.workload = new LockWorkload(this.fork(), options.clients, options.locks, options.proposalRate);
    const onWrite = (nodeId: NodeId, entries: LogEntry<LockCommand>[]) => this.checker.onDiskWrite(nodeId, entries);
    for (let i = 1; i <= options.nodes; i++) {
      const id = `n${i}`;
      const disk = new SimulatedDisk<LockCommand>(id, this.fork(), options.faults.unsyncedWriteLoss, onWrite);
      const context = { network: this.network, checker: this.checker, latch: this.latch };
      this.nodes.push(new SimulatedNode(id, disk, this.raftConfig(id), context));
    }
  }

  /** Join mode: n1 bootstraps alone. Static mode: every disk starts with the full membership. */
  async start(): Promise<void> {
    if (this.options.mode === 'static') {
      const genesis: RecoveredState<LockCommand> = {
        hardState: { term: 1, votedFor: null, commitIndex: 1 },
        entries: [{ term: 1, index: 1, leaderTimeMs: 0, body: { type: 'membership', members: this.nodes.map((n) => n.member) } }],
      };
      for (const node of this.nodes) await node.disk.persist({ ...genesis, mustSync: true });
    }
    for (const node of this.nodes) node.start(node.disk.recover(), this.fork());
    if (this.options.mode === 'join') {
      const first = this.nodes[0];
      this.latch.guard(() => first.raft.bootstrap(first.member, 0));
      first.processor.kick();
    }
    await this.settle();
  }

  async runTick(tick: number, plan: TickPlan): Promise<void> {
    this.network.setTick(tick);
    for (const message of this.network.takeDue()) {
      const node = this.node(message.to);
      if (node.up) await this.input(node, { type: 'receive', message });
    }
    for (const node of this.upNodes()) await this.input(node, { type: 'tick', nowMs: tick * MS_PER_TICK });
    if (plan.joins && this.options.mode === 'join' && tick % JOIN_INTERVAL_TICKS === 0) await this.driveJoin(tick);
    if (plan.proposals) await this.propose(tick);
    await this.settle();
    this.checker.afterTick(this.nodes, tick);
  }

  crash(id: NodeId): void {
    const node = this.node(id);
    const lost = node.crash();
    this.crashes++;
    this.unsyncedWritesLost += lost;
    this.trace.add(`crash ${id} (incarnation ${node.incarnation}, ${lost} unsynced writes lost)`);
  }

  restart(id: NodeId): void {
    const node = this.node(id);
    const recovered = node.disk.recover();
    this.checker.onRestart(id, recovered);
    node.start(recovered, this.fork());
    const { term, votedFor, commitIndex } = recovered.hardState;
    this.trace.add(`restart ${id} term=${term} votedFor=${votedFor} commit=${commitIndex} entries=${recovered.entries.length}`);
  }

  upNodes(): SimulatedNode[] {
    return this.nodes.filter((node) => node.up);
  }

  liveLeaders(): SimulatedNode[] {
    return this.upNodes().filter((node) => node.raft.isLeader);
  }

  node(id: NodeId): SimulatedNode {
    const found = this.nodes.find((node) => node.id === id);
    if (found === undefined) throw new Error(`no simulated node ${id}`);
    return found;
  }

  /** Steps one input, then either drains the node's Ready at once or lets inputs pile up behind it. */
  private async input(node: SimulatedNode, input: Input<LockCommand>): Promise<StepResult> {
    const wasLeader = node.raft.isLeader;
    const result = this.latch.guard(() => node.raft.step(input));
    this.latch.guard(() => this.checker.afterStep(node));
    if (node.raft.isLeader && !wasLeader) this.trace.add(`${node.id} leads term ${node.raft.status().term}`);
    if (!node.raft.isLeader && wasLeader) this.trace.add(`${node.id} steps down (term ${node.raft.status().term})`);
    node.processor.kick();
    // Not awaiting lets later inputs land between a Ready's persist and its advance, as in production.
    if (this.random.next() < this.options.eagerIdleRate) await node.processor.idle();
    this.latch.throwIfFailed();
    return result;
  }

  private async settle(): Promise<void> {
    for (const node of this.upNodes()) await node.processor.idle();
    this.latch.throwIfFailed();
  }

  private async propose(tick: number): Promise<void> {
    for (const command of this.workload.commandsForTick()) {
      const leaders = this.liveLeaders();
      if (leaders.length === 0) return;
      // With a stale leader around, clients may well be talking to it.
      const node = leaders[this.random.intBetween(0, leaders.length - 1)];
      const incarnation = node.incarnation;
      const result = await this.input(node, { type: 'propose', body: { type: 'command', command }, nowMs: tick * MS_PER_TICK });
      if (result.type === 'proposed') this.checker.proposals.propose(node.id, incarnation, result.index, result.term, command);
    }
  }

  /** Adds the next server not yet in the leader's membership, like a new server's `--join`. */
  private async driveJoin(tick: number): Promise<void> {
    const leaders = this.liveLeaders();
    if (leaders.length === 0) return;
    const leader = leaders[this.random.intBetween(0, leaders.length - 1)];
    const members = leader.raft.status().members;
    const next = this.nodes.find((node) => !members.some((m) => m.id === node.id));
    if (next === undefined) return;
    const result = await this.input(leader, { type: 'changeMembership', members: [...members, memberOf(next.id)], nowMs: tick * MS_PER_TICK });
    if (result.type === 'proposed') this.trace.add(`${leader.id} proposes adding ${next.id} at ${result.index} (term ${result.term})`);
  }

  private raftConfig(id: NodeId): RaftConfig {
    const { heartbeatIntervalTicks, electionTimeoutMinTicks, electionTimeoutMaxTicks, maxEntriesPerMessage } = this.options;
    return { id, heartbeatIntervalTicks, electionTimeoutMinTicks, electionTimeoutMaxTicks, maxEntriesPerMessage };
  }

  /** An independent stream for one component, drawn from the run's seed. */
  private fork(): SeededRandom {
    return new SeededRandom(this.random.intBetween(0, 0xffffffff));
  }
}
