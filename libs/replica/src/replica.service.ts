import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { randomInt } from 'node:crypto';
import { FileDurableStorage } from '@app/wal';
import { LockTable, type LockCommand, type LockOutcome } from '@app/lock-table';
import {
  RaftNode,
  ReadyProcessor,
  SeededRandom,
  unreachable,
  type EntryApplier,
  type LogEntry,
  type Member,
  type RaftStatus,
  type StepResult,
} from '@app/replicated-log';
import { LockProposedEvent } from './lock-proposed.event';
import { NODE_OPTIONS, httpAddressOf, tcpAddressOf, type NodeOptions } from './node-options';
import type { PeerEnvelope } from './peer-envelope';
import { PeerTcpNetwork } from './peer-tcp.network';
import { PendingProposals, type ProposalSettlement } from './pending-proposals';
import { raftConfigFromOptions } from './raft-config-from-options';

/** What a proposal came to, as seen by the node that made it. */
export type ProposalResult =
  | { type: 'applied'; index: number; outcome: LockOutcome | null }
  | { type: 'notLeader'; leader: Member | null }
  | { type: 'unavailable'; reason: string };

/**
 * Runs one node: owns the pure RaftNode, feeds it ticks and peer messages, and drives
 * its Ready cycle (WAL, peers, lock table). The only place where the core meets I/O.
 */
@Injectable()
export class ReplicaService implements OnModuleInit, OnApplicationShutdown, EntryApplier<LockCommand> {
  private readonly logger = new Logger(ReplicaService.name);
  private readonly lockTable = new LockTable();
  private readonly pending = new PendingProposals();
  private node!: RaftNode<LockCommand>;
  private storage!: FileDurableStorage<LockCommand>;
  private network!: PeerTcpNetwork;
  private processor!: ReadyProcessor<LockCommand>;
  private ticker: NodeJS.Timeout | null = null;

  constructor(
    @Inject(NODE_OPTIONS) private readonly options: NodeOptions,
    private readonly eventBus: EventBus,
  ) {}

  /** Replays the WAL before any port opens (Nest runs this before listen). */
  async onModuleInit(): Promise<void> {
    const { storage, recovered } = await FileDurableStorage.open<LockCommand>(this.options.dataDir, {
      logger: (message) => this.logger.warn(message),
    });
    this.storage = storage;
    this.node = new RaftNode(raftConfigFromOptions(this.options), new SeededRandom(randomInt(2 ** 31)), recovered);
    this.network = new PeerTcpNetwork(tcpAddressOf(this.options), () => this.node.currentMembers);
    this.processor = new ReadyProcessor(this.node, this.storage, this.network, this);
    if (this.options.bootstrap && recovered.entries.length === 0) {
      this.node.bootstrap(this.self(), Date.now());
      this.logger.log(`bootstrapped a new cluster as ${this.options.id}`);
    }
    this.logger.log(`recovered ${recovered.entries.length} entries, term ${recovered.hardState.term}`);
  }

  /**
   * Re-applies the recovered committed entries and starts the clock. Called after
   * `app.init()`, because the CQRS event handlers that build the read models register
   * during init; the ports open only after this resolves.
   */
  async start(): Promise<void> {
    this.processor.kick();
    await this.processor.idle();
    this.ticker = setInterval(() => this.step({ type: 'tick', nowMs: Date.now() }), this.options.tickMs);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.ticker) clearInterval(this.ticker);
    await this.processor.idle();
    await this.network.close();
    await this.storage.close();
  }

  async propose(command: LockCommand): Promise<ProposalResult> {
    const result = this.step({ type: 'propose', body: { type: 'command', command }, nowMs: Date.now() });
    return this.awaitProposal(result);
  }

  async changeMembership(members: Member[]): Promise<ProposalResult | { type: 'membershipChangePending' }> {
    const result = this.step({ type: 'changeMembership', members, nowMs: Date.now() });
    if (result.type === 'membershipChangePending') return result;
    return this.awaitProposal(result);
  }

  receive(envelope: PeerEnvelope): void {
    this.network.learnAddress(envelope.message.from, envelope.fromTcpAddress);
    this.step({ type: 'receive', message: envelope.message });
  }

  /** EntryApplier: called by the ReadyProcessor with committed entries in order. */
  apply(entries: LogEntry<LockCommand>[]): void {
    for (const entry of entries) {
      let outcome: LockOutcome | null = null;
      if (entry.body.type === 'command') {
        outcome = this.lockTable.apply(entry.index, entry.body.command);
        this.eventBus.publish(new LockProposedEvent(entry.index, entry.term, entry.body.command, outcome, entry.leaderTimeMs));
      } else {
        this.lockTable.skip(entry.index);
        if (entry.body.type === 'membership') this.logger.log(`membership at ${entry.index}: ${entry.body.members.map((m) => m.id).join(', ')}`);
      }
      this.pending.applied(entry, outcome);
    }
  }

  status(): RaftStatus {
    return this.node.status();
  }

  get isLeader(): boolean {
    return this.node.isLeader;
  }

  get members(): readonly Member[] {
    return this.node.currentMembers;
  }

  /** The member this node believes leads, if it knows one. */
  leader(): Member | null {
    const leaderId = this.node.currentLeaderId;
    return this.node.currentMembers.find((m) => m.id === leaderId) ?? null;
  }

  isMember(): boolean {
    return this.node.currentMembers.some((m) => m.id === this.options.id);
  }

  self(): Member {
    return { id: this.options.id, tcpAddress: tcpAddressOf(this.options), httpAddress: httpAddressOf(this.options) };
  }

  private step(input: Parameters<RaftNode<LockCommand>['step']>[0]): StepResult {
    const result = this.node.step(input);
    this.processor.kick();
    return result;
  }

  private async awaitProposal(result: StepResult): Promise<ProposalResult> {
    switch (result.type) {
      case 'notLeader':
        return { type: 'notLeader', leader: this.leader() };
      case 'proposed':
        return this.settlementToResult(await this.pending.wait(result.index, result.term, this.options.requestTimeoutMs));
      case 'accepted':
      case 'membershipChangePending':
        throw new Error(`unexpected step result ${result.type} for a proposal`);
      default:
        return unreachable(result);
    }
  }

  private settlementToResult(settlement: ProposalSettlement): ProposalResult {
    switch (settlement.type) {
      case 'applied':
        return settlement;
      case 'dropped':
        return { type: 'unavailable', reason: 'leadership changed before the request was committed; retry' };
      case 'timedOut':
        return { type: 'unavailable', reason: 'no quorum: the request was not committed in time; its outcome is unknown' };
      default:
        return unreachable(settlement);
    }
  }
}
