import type { LockCommand } from '@app/lock-table';
import {
  SeededRandom,
  type CoreFixRevert,
  assert,
  planJoin,
  planRemoval,
  votersOf,
  type Input,
  type LogEntry,
  type Member,
  type NodeId,
  type RaftConfig,
  type RecoveredState,
  type StepResult,
  type MembershipPlan,
} from '@app/replicated-log';
import { FailureLatch } from './failure-latch';
import { SafetyChecker } from './invariants';
import { LeaderExpiryScan } from './leader-expiry-scan';
import { LockWorkload, MS_PER_TICK } from './lock-workload';
import { pickOne } from './random-choice';
import { SimulatedDisk } from './simulated-disk';
import { SimulatedNetwork } from './simulated-network';
import { SimulatedNode, memberOf } from './simulated-node';
import type { SimulationOptions } from './simulation-options';
import type { Trace } from './trace';

/** Joins are attempted this often, like an operator's `--join` retrying. */
const JOIN_INTERVAL_TICKS = 5;
/** reconfig mode: the chance that a membership attempt is a random add or remove */
const RECONFIG_CHANCE = 0.3;
/** reconfig mode never shrinks the membership below this */
const MIN_MEMBERS = 2;

export interface TickPlan {
  proposals: boolean;
  /** grow the membership towards every server (join and reconfig modes) */
  joins: boolean;
  /** reconfig mode: also remove members and add them back at random */
  reconfigure: boolean;
  /** crashed part-way through delivering this tick's messages, possibly with an fsync in flight */
  crash?: NodeId;
  /** the crashed node also loses its data directory */
  wipe?: boolean;
}

/** A server that asked to join and never answers anything; an operator removes it at `removeAt`. */
interface Ghost {
  removeAt: number;
  /** seen in a leader's membership */
  joined: boolean;
}

/**
 * N simulated servers on one simulated network. A tick delivers the messages that are due,
 * ticks every live node, lets clients propose on a leader and, in join and reconfig modes,
 * changes the membership one server at a time. Every node's ReadyProcessor is idle when a
 * tick ends.
 */
export class SimulatedCluster {
  readonly nodes: SimulatedNode[] = [];
  readonly network: SimulatedNetwork<LockCommand>;
  readonly checker = new SafetyChecker();
  readonly latch = new FailureLatch();
  private readonly workload: LockWorkload;
  readonly expiries = new LeaderExpiryScan();
  /** keepalives a leader answered alive, and ones it refused (the session was gone) */
  readonly keepAlives = { answered: 0, refused: 0 };
  private readonly reverts: ReadonlySet<CoreFixRevert>;
  crashes = 0;
  wipes = 0;
  ghostJoins = 0;
  unsyncedWritesLost = 0;
  /** every ghost ever, so that one a stale leader forgot is still removed once a later one lists it */
  private readonly ghosts = new Map<NodeId, Ghost>();
  private currentTick = 0;

  constructor(
    private readonly options: SimulationOptions,
    /** the run's root stream; every other stream is forked from it */
    readonly random: SeededRandom,
    private readonly trace: Trace,
  ) {
    this.network = new SimulatedNetwork(this.fork(), options.network);
    this.reverts = new Set(options.testOnlyReverts);
    this.workload = new LockWorkload(
      this.fork(),
      options.clients,
      options.locks,
      options.proposalRate,
      options.workload,
    );
    const onWrite = (nodeId: NodeId, entries: LogEntry<LockCommand>[]) =>
      this.checker.onDiskWrite(nodeId, entries);
    for (let i = 1; i <= options.nodes; i++) {
      const id = `n${i}`;
      const disk = new SimulatedDisk<LockCommand>(id, this.fork(), options.faults.unsyncedWriteLoss, onWrite);
      const context = { network: this.network, checker: this.checker, latch: this.latch };
      this.nodes.push(new SimulatedNode(id, disk, (storageId) => this.raftConfig(id, storageId), context));
    }
  }

  /** Join mode: n1 bootstraps alone. Static mode: every disk starts with the full membership. */
  async start(): Promise<void> {
    if (this.options.mode === 'static') {
      const genesis: RecoveredState<LockCommand> = {
        hardState: { term: 1, votedFor: null, commitIndex: 1 },
        entries: [
          {
            term: 1,
            index: 1,
            leaderTimeMs: 0,
            body: { type: 'membership', members: this.nodes.map((n) => n.member) },
          },
        ],
      };
      for (const node of this.nodes) await node.disk.persist({ ...genesis, mustSync: true });
    }
    for (const node of this.nodes) node.start(node.disk.recover(), this.fork());
    if (this.options.mode !== 'static') {
      const [first] = this.nodes;
      assert(first !== undefined, 'a cluster without nodes');
      this.latch.guard(() => first.raft.bootstrap(first.member, 0));
      first.processor.kick();
    }
    await this.settle();
  }

  async runTick(tick: number, plan: TickPlan): Promise<void> {
    this.currentTick = tick;
    this.network.setTick(tick);
    const due = this.network.takeDue();
    const crashAt = plan.crash === undefined ? -1 : this.random.intBetween(0, due.length);
    for (const [i, message] of due.entries()) {
      if (i === crashAt && plan.crash !== undefined) this.crash(plan.crash, plan.wipe === true);
      const node = this.node(message.to);
      if (node.up) await this.input(node, { type: 'receive', message });
    }
    if (crashAt === due.length && plan.crash !== undefined) this.crash(plan.crash, plan.wipe === true);
    for (const node of this.upNodes()) await this.input(node, { type: 'tick', nowMs: tick * MS_PER_TICK });
    if (plan.joins && tick % JOIN_INTERVAL_TICKS === 0) await this.driveMembership(tick, plan.reconfigure);
    await this.proposeExpiries(tick);
    if (plan.proposals) {
      await this.propose(tick);
      this.keepSessionsAlive(tick);
    }
    await this.settle();
    this.checker.afterTick(this.nodes, tick);
    this.expiries.checkOverdue(this.upNodes(), tick, tick * MS_PER_TICK);
  }

  crash(id: NodeId, wipe = false): void {
    const node = this.node(id);
    const lost = node.crash();
    this.crashes++;
    this.unsyncedWritesLost += lost;
    this.trace.add(`crash ${id} (incarnation ${node.incarnation}, ${lost} unsynced writes lost)`);
    if (!wipe) return;
    node.wipe();
    this.checker.onWipe(id);
    this.wipes++;
    this.trace.add(`wipe ${id}: it will come back with an empty directory as storage ${node.storageId}`);
  }

  restart(id: NodeId): void {
    const node = this.node(id);
    const recovered = node.disk.recover();
    this.checker.onRestart(id, node.storageId, recovered);
    node.start(recovered, this.fork());
    const { term, votedFor, commitIndex } = recovered.hardState;
    this.trace.add(
      `restart ${id} term=${term} votedFor=${votedFor} commit=${commitIndex} entries=${recovered.entries.length}`,
    );
  }

  /** A server that will never answer asks to join (a wrong address, or it died at once). */
  addGhost(tick: number, removeAfterTicks: number): void {
    const id = `ghost${++this.ghostJoins}`;
    this.network.setDown(id, true);
    this.ghosts.set(id, { removeAt: tick + removeAfterTicks, joined: false });
    this.trace.add(`${id} asks to join and will never answer; removal due at ${tick + removeAfterTicks}`);
  }

  /** The operator removes every ghost (the liveness phase). */
  removeGhostsNow(): void {
    for (const ghost of this.ghosts.values()) ghost.removeAt = 0;
  }

  /** One ghost at a time: the last one has joined or given up, and no running node lists it. */
  get ghostAllowed(): boolean {
    for (const ghost of this.ghosts.values())
      if (!ghost.joined && ghost.removeAt > this.currentTick) return false;
    return this.upNodes().every((node) => node.raft.status().members.every((m) => !this.ghosts.has(m.id)));
  }

  /**
   * Losing one more data directory must leave a majority of intact voters that can still
   * repair the membership, or no leader could ever be elected again (no protocol can help
   * when a majority of the copies is gone). So: not in reconfig mode (random removals could
   * shrink the membership around the emptied node), no earlier wipe still unrepaired on
   * any running node, and one leader whose committed membership has at least 3 voters and
   * no learners.
   */
  get wipeAllowed(): boolean {
    if (this.options.mode === 'reconfig') return false;
    for (const node of this.upNodes()) {
      for (const m of node.raft.status().members) {
        const server = this.nodes.find((n) => n.id === m.id);
        if (server !== undefined && server.storageId !== m.storageId) return false;
      }
    }
    const leaders = this.liveLeaders();
    const [leader] = leaders;
    if (leader === undefined || leaders.length !== 1) return false;
    const { members, membershipIndex, commitIndex } = leader.raft.status();
    return (
      membershipIndex <= commitIndex && votersOf(members).length === members.length && members.length >= 3
    );
  }

  /** One line per node, for failure messages. */
  describe(): string[] {
    return this.nodes.map((node) => {
      if (!node.up) return `${node.id}: down`;
      if (node.raft === undefined) return `${node.id}: not started`;
      const { role, term, leaderId, commitIndex, appliedIndex, lastIndex, members, progress } =
        node.raft.status();
      const memberIds = members.map((m) => m.id).join(',');
      return `${node.id}#${node.incarnation}: ${role} term=${term} leader=${leaderId} commit=${commitIndex} applied=${appliedIndex} last=${lastIndex} members=[${memberIds}] progress=${JSON.stringify(progress)}`;
    });
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

  /**
   * Steps one input and kicks the node's ReadyProcessor. Sometimes the Ready is drained at
   * once; otherwise its persist stays in flight, so later inputs land between the Ready's
   * persist and its advance, as they do in production while an fsync runs.
   */
  private async input(node: SimulatedNode, input: Input<LockCommand>): Promise<StepResult> {
    const wasLeader = node.raft.isLeader;
    const result = this.latch.guard(() => node.raft.step(input));
    this.latch.guard(() => this.checker.afterStep(node));
    if (node.raft.isLeader && !wasLeader) this.trace.add(`${node.id} leads term ${node.raft.status().term}`);
    if (!node.raft.isLeader && wasLeader)
      this.trace.add(`${node.id} steps down (term ${node.raft.status().term})`);
    node.processor.kick();
    const draw = this.random.next();
    if (draw < this.options.eagerIdleRate) await this.drain(node);
    // Otherwise the fsync may still finish now, letting the Ready cycle continue in the background.
    else if (draw < (1 + this.options.eagerIdleRate) / 2) node.disk.release();
    this.latch.throwIfFailed();
    return result;
  }

  /** Lets every in-flight persist of the node finish and waits for its Ready cycle to stop. */
  private async drain(node: SimulatedNode): Promise<void> {
    node.disk.setDeferred(false);
    await node.processor.idle();
    node.disk.setDeferred(true);
  }

  private async settle(): Promise<void> {
    for (const node of this.upNodes()) await this.drain(node);
    this.latch.throwIfFailed();
  }

  /** Every leader runs its expiry scan, as a node does on its ticks (see LeaderExpiryScan). */
  private async proposeExpiries(tick: number): Promise<void> {
    for (const node of this.upNodes()) {
      for (const command of this.expiries.due(node, tick, tick * MS_PER_TICK)) {
        const incarnation = node.incarnation;
        const result = await this.input(node, {
          type: 'propose',
          body: { type: 'command', command },
          nowMs: tick * MS_PER_TICK,
        });
        if (result.type !== 'proposed' || node.incarnation !== incarnation) continue;
        this.expiries.proposed(node, command, result.index, result.term, tick);
        this.checker.proposals.propose(node.id, incarnation, result.index, result.term, command);
      }
    }
  }

  /**
   * Keepalives are no log entries: a leader that has applied all before its term answers
   * from its own session leases, as a node does (which also confirms its leadership with a
   * majority first; here the checker's election safety stands in for that).
   */
  private keepSessionsAlive(tick: number): void {
    for (const sessionId of this.workload.keepAlivesDue(tick)) {
      const leaders = this.liveLeaders().filter((node) => node.raft.isCurrentLeader);
      if (leaders.length === 0) {
        this.workload.onKeepAlive(sessionId, tick, null);
        continue;
      }
      const node = pickOne(this.random, leaders);
      const answer = node.machine.keepAlive(sessionId, tick * MS_PER_TICK, node.raft.status().term);
      this.keepAlives[answer.type === 'alive' ? 'answered' : 'refused']++;
      this.workload.onKeepAlive(sessionId, tick, answer.type === 'alive');
    }
  }

  private async propose(tick: number): Promise<void> {
    for (const command of this.workload.commandsForTick(tick)) {
      const leaders = this.liveLeaders();
      if (leaders.length === 0) return;
      // With a stale leader around, clients may well be talking to it.
      const node = pickOne(this.random, leaders);
      const incarnation = node.incarnation;
      const result = await this.input(node, {
        type: 'propose',
        body: { type: 'command', command },
        nowMs: tick * MS_PER_TICK,
      });
      if (result.type === 'proposed')
        this.checker.proposals.propose(node.id, incarnation, result.index, result.term, command);
    }
  }

  /**
   * Drives membership as operators and `--join` would. First repairs: a ghost whose time is
   * up is removed; a server whose data directory was wiped asks to join under its old id,
   * is refused, and the operator removes the old member (a learner is simply replaced);
   * a pending ghost asks to join. Otherwise it adds the next server not yet a member (as a
   * learner; the leader promotes it once caught up). In reconfig mode it also, now and then,
   * removes a member (possibly the leader) or adds back a removed one, so that changes from
   * different leaders can race (thesis 4.1).
   */
  private async driveMembership(tick: number, reconfigure: boolean): Promise<void> {
    const leaders = this.liveLeaders();
    if (leaders.length === 0) return;
    const leader = pickOne(this.random, leaders);
    const members = leader.raft.status().members;
    const next = this.repair(members, tick) ?? this.grow(members, reconfigure);
    if (next === null) return;
    const result = await this.input(leader, {
      type: 'changeMembership',
      members: next,
      nowMs: tick * MS_PER_TICK,
    });
    if (result.type === 'proposed') {
      const listed = next.map((m) => `${m.id}${m.learner === true ? '(learner)' : ''}`).join(',');
      this.trace.add(`${leader.id} proposes members [${listed}] at ${result.index} (term ${result.term})`);
    }
  }

  private repair(members: readonly Member[], tick: number): Member[] | null {
    for (const member of members) {
      const ghost = this.ghosts.get(member.id);
      if (ghost !== undefined) ghost.joined = true;
      if (ghost !== undefined && ghost.removeAt <= tick) return changeOf(planRemoval(members, member.id));
      const server = this.nodes.find((n) => n.id === member.id);
      if (server === undefined || server.storageId === member.storageId) continue;
      const join = planJoin(members, server.member, this.reverts);
      if (join.type === 'change') return join.members;
      return changeOf(planRemoval(members, member.id));
    }
    for (const [id, ghost] of this.ghosts) {
      if (ghost.joined || ghost.removeAt <= tick || members.some((m) => m.id === id)) continue;
      return changeOf(planJoin(members, memberOf(id, `${id}-disk`), this.reverts));
    }
    return null;
  }

  private grow(members: readonly Member[], reconfigure: boolean): Member[] | null {
    const outside = this.nodes.filter((node) => !members.some((m) => m.id === node.id));
    const churn = reconfigure && this.options.mode === 'reconfig';
    if (churn && this.random.next() < RECONFIG_CHANCE) {
      const voters = votersOf(members).length;
      const remove = outside.length === 0 || (voters > MIN_MEMBERS && this.random.next() < 0.5);
      if (!remove) return changeOf(planJoin(members, pickOne(this.random, outside).member, this.reverts));
      const victim = pickOne(this.random, members);
      if (victim.learner !== true && voters <= MIN_MEMBERS) return null;
      return changeOf(planRemoval(members, victim.id));
    }
    const [nextOutside] = outside;
    if (!churn && nextOutside !== undefined)
      return changeOf(planJoin(members, nextOutside.member, this.reverts));
    return null;
  }

  private raftConfig(id: NodeId, storageId: string): RaftConfig {
    const { heartbeatIntervalTicks, electionTimeoutMinTicks, electionTimeoutMaxTicks, maxEntriesPerMessage } =
      this.options;
    return {
      id,
      storageId,
      heartbeatIntervalTicks,
      electionTimeoutMinTicks,
      electionTimeoutMaxTicks,
      maxEntriesPerMessage,
      testOnlyReverts: this.reverts,
    };
  }

  /** An independent stream for one component, drawn from the run's seed. */
  private fork(): SeededRandom {
    return new SeededRandom(this.random.intBetween(0, 0xffffffff));
  }
}

function changeOf(plan: MembershipPlan): Member[] | null {
  return plan.type === 'change' ? plan.members : null;
}
