import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import { FileDurableStorage, SnapshotStore, openStorageIdentity } from '@app/wal';
import {
  LockStateMachine,
  type AppliedEntry,
  type LockCommand,
  type LockEvent,
  type LockOutcome,
  type LockTable,
} from '@app/lock-table';
import {
  RaftNode,
  ReadyProcessor,
  SeededRandom,
  unreachable,
  type EntryApplier,
  type ReadState,
  type ReadStateListener,
  type LogEntry,
  type Member,
  type RaftStatus,
  type SnapshotMeta,
  type StepResult,
} from '@app/replicated-log';
import { AppliedEntriesPublisher } from './applied-entries.publisher';
import { LockProposedEvent } from './lock-proposed.event';
import { LogAdvancedEvent } from './log-advanced.event';
import { NODE_OPTIONS, httpAddressOf, tcpAddressOf, type NodeOptions } from './node-options';
import type { PeerEnvelope } from './peer-envelope';
import { PeerTcpNetwork } from './peer-tcp.network';
import { PendingProposals, type ProposalSettlement } from './pending-proposals';
import { raftConfigFromOptions, snapshotMarginEntries } from './raft-config-from-options';
import { LeaderLease } from './leader-lease';
import { unsafeTestSwitches } from './unsafe-test-switches';
import { ClusterIdentity } from './cluster-identity';
import { PeerGate } from './peer-gate';
import { ApplyBeforeCommit } from './apply-before-commit';
import { timedStorage, type PersistObserver } from './timed-storage';
import type { SnapshotChunkAnswer, SnapshotChunkMessage } from './snapshot-chunk';
import { SnapshotKeeper, checkedState } from './snapshot-keeper';
import { SnapshotRestoredEvent } from './snapshot-restored.event';
import { SnapshotSender } from './snapshot-sender';

/** How often the leader looks for locks, waiters and sessions whose time is up. */
const EXPIRY_SCAN_EVERY_TICKS = 5;

/** What a proposal came to, as seen by the node that made it. */
export type ProposalResult =
  | { type: 'applied'; index: number; outcome: LockOutcome | null; events: readonly LockEvent[] }
  | { type: 'notLeader'; leader: Member | null }
  | { type: 'unavailable'; reason: string };

/**
 * Runs one node: owns the pure RaftNode, feeds it ticks and peer messages, and drives
 * its Ready cycle (WAL, peers, lock table). The only place where the core meets I/O.
 */
@Injectable()
export class ReplicaService
  implements OnModuleInit, OnApplicationShutdown, EntryApplier<LockCommand>, ReadStateListener
{
  private readonly logger = new Logger(ReplicaService.name);
  /** the lock table, session leases and expiry scan: the same state machine the simulator runs */
  private readonly machine: LockStateMachine;
  private readonly pending = new PendingProposals();
  private node!: RaftNode<LockCommand>;
  private storage!: FileDurableStorage<LockCommand>;
  private network!: PeerTcpNetwork;
  private processor!: ReadyProcessor<LockCommand>;
  private snapshots!: SnapshotKeeper;
  private snapshotSender!: SnapshotSender;
  /** the snapshot the state machine was restored from at start, reported to the read models in start() */
  private startSnapshot: SnapshotMeta | null = null;
  private ticker: NodeJS.Timeout | null = null;
  /** this data directory's identity, recorded in the membership when the node joins */
  private storageId = '';
  private readonly leaderLease: LeaderLease;
  private ticks = 0;
  private readRequests = 0;
  private readonly pendingReads = new Map<number, (index: number | null) => void>();
  /** only with the negative control 'apply-before-commit' */
  private applyBeforeCommit: ApplyBeforeCommit | null = null;
  /** set by the metrics: told the duration of every WAL write */
  persistObserver: PersistObserver | null = null;

  constructor(
    @Inject(NODE_OPTIONS) private readonly options: NodeOptions,
    private readonly appliedEntries: AppliedEntriesPublisher,
    private readonly peerGate: PeerGate = new PeerGate(
      new ClusterIdentity(options.dataDir),
      null,
      options.id,
    ),
  ) {
    // A deposed leader steps down within an election timeout of losing its majority.
    this.machine = new LockStateMachine(options.electionTimeoutMaxMs, {
      unsafeIgnoreOwnerOnRelease: unsafeTestSwitches().has('ignore-owner-on-release'),
    });
    this.leaderLease = new LeaderLease(
      options.electionTimeoutMinMs,
      () => performance.now(),
      async () => (await this.readIndex()).type === 'index',
    );
  }

  /** Replays the WAL before any port opens (Nest runs this before listen). */
  async onModuleInit(): Promise<void> {
    const { store, latest } = await SnapshotStore.open(this.options.dataDir, (message) =>
      this.logger.warn(message),
    );
    // Bounded start-up: the latest good snapshot, then only the WAL after it (section 7).
    if (latest !== null) {
      this.machine.restore(checkedState(latest.state, latest.meta));
      this.startSnapshot = latest.meta;
      this.logger.log(`restored snapshot at index ${latest.meta.index} (term ${latest.meta.term})`);
    }
    const { storage, recovered } = await FileDurableStorage.open<LockCommand>(this.options.dataDir, {
      logger: (message) => this.logger.warn(message),
      segmentBytes: this.options.walSegmentBytes,
      ...(latest === null ? {} : { snapshot: latest.meta }),
    });
    this.storage = storage;
    const logIsEmpty = recovered.entries.length === 0 && recovered.snapshot === undefined;
    this.storageId = await openStorageIdentity(this.options.dataDir, logIsEmpty);
    await this.peerGate.identity.open(this.options.bootstrap);
    this.node = new RaftNode(
      raftConfigFromOptions(this.options, this.storageId),
      new SeededRandom(randomInt(2 ** 31)),
      recovered,
    );
    this.snapshotSender = new SnapshotSender(
      () => store,
      tcpAddressOf(this.options),
      this.options.requestTimeoutMs,
      (chunk) => this.peerGate.sealSnapshotChunk(chunk),
    );
    this.network = new PeerTcpNetwork(
      tcpAddressOf(this.options),
      () => this.node.currentMembers,
      this.peerGate,
      (message, address) => this.snapshotSender.offer(message, address),
    );
    const timed = timedStorage(this.storage, (ms, entries, synced) =>
      this.persistObserver?.(ms, entries, synced),
    );
    this.snapshots = new SnapshotKeeper(
      store,
      () => this.storage,
      this.machine,
      snapshotMarginEntries(this.options),
      (index) => this.publishRestored(index),
    );
    if (unsafeTestSwitches().has('apply-before-commit'))
      this.applyBeforeCommit = new ApplyBeforeCommit(this.machine, (applied) => this.publishApplied(applied));
    const persisted = this.applyBeforeCommit?.wrap(timed) ?? timed;
    this.processor = new ReadyProcessor(this.node, persisted, this.network, this, this, this.snapshots);
    this.processor.sendEarlyWith((task) => setImmediate(task));
    if (this.options.bootstrap && logIsEmpty) {
      this.node.bootstrap(this.self(), Date.now());
      this.logger.log(`bootstrapped a new cluster ${this.peerGate.identity.id} as ${this.options.id}`);
    }
    this.logger.log(
      `recovered ${recovered.entries.length} entries after index ${recovered.snapshot?.index ?? 0}, ` +
        `term ${recovered.hardState.term}`,
    );
    if (!this.peerGate.authenticated)
      this.logger.warn(
        'peer traffic is UNAUTHENTICATED: no cluster secret (set LATCHKEY_CLUSTER_SECRET or --cluster-secret-file); anyone who reaches this port can send replication messages',
      );
    const unsafe = unsafeTestSwitches();
    if (unsafe.size > 0)
      this.logger.warn(`UNSAFE TEST SWITCHES ON, this node is broken on purpose: ${[...unsafe].join(', ')}`);
    if (unsafe.has('ack-before-fsync')) storage.unsafeDeferWrites(1500);
    if (unsafe.has('slow-snapshot-files')) store.unsafeDelayMs = 3000;
  }

  /**
   * Re-applies the recovered committed entries and starts the clock. Called after
   * `app.init()`, because the CQRS event handlers that build the read models register
   * during init; the ports open only after this resolves.
   */
  async start(): Promise<void> {
    if (this.startSnapshot !== null) this.publishRestored(this.startSnapshot.index);
    this.processor.kick();
    await this.processor.idle();
    this.ticker = setInterval(() => this.onTick(), this.options.tickMs);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.ticker) clearInterval(this.ticker);
    await this.processor.idle();
    await this.network.close();
    await this.snapshotSender.close();
    await this.storage.close();
  }

  async propose(command: LockCommand): Promise<ProposalResult> {
    const result = this.step({ type: 'propose', body: { type: 'command', command }, nowMs: Date.now() });
    return this.awaitProposal(result);
  }

  /**
   * A keepalive is answered by the leader from memory: no log entry, no fsync. It is
   * refused once the session's TTL has passed, even if the expiry is not applied yet, and
   * while no majority has confirmed this leader within an election timeout (a deposed
   * leader resumed from a stall must not extend a session the new leader may end).
   */
  async keepAlive(
    sessionId: string,
  ): Promise<
    | { type: 'alive'; ttlMs: number }
    | { type: 'notFound' }
    | { type: 'notLeader'; leader: Member | null }
    | { type: 'unavailable'; reason: string }
  > {
    if (!this.node.isLeader) return { type: 'notLeader', leader: this.leader() };
    // A new leader may not have applied a session opened just before the election yet.
    if (!this.node.isCurrentLeader)
      return { type: 'unavailable', reason: 'the new leader is catching up; retry' };
    const term = this.node.status().term;
    if (!(await this.leaderLease.confirm(term)) || this.node.status().term !== term)
      return { type: 'unavailable', reason: 'leadership not confirmed by a majority in time; retry' };
    return this.machine.keepAlive(sessionId, performance.now(), term);
  }

  /** Read access for the leader's answers (who holds a lock a waiter gave up on). */
  get table(): Pick<LockTable, 'ownerOf' | 'hasSession' | 'waitingCount'> {
    return this.machine.table;
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

  /**
   * A chunk of the leader's snapshot (thesis 5.3). Once the whole file is here, verified and
   * durable, the core hears of it as an InstallSnapshot message and takes it from there.
   */
  async receiveSnapshotChunk(chunk: SnapshotChunkMessage): Promise<SnapshotChunkAnswer> {
    if (chunk.to !== this.options.id) return { nextOffset: 0, done: false };
    this.network.learnAddress(chunk.from, chunk.fromTcpAddress);
    const { answer, complete } = await this.snapshots.receive(chunk);
    if (complete !== null)
      this.step({
        type: 'receive',
        message: {
          type: 'installSnapshot',
          from: chunk.from,
          to: chunk.to,
          term: chunk.term,
          snapshot: complete,
        },
      });
    return answer;
  }

  /** Snapshot figures for GET /cluster and the CLI's status. */
  storageStatus(): { walBytes: number; snapshotsInstalled: number } {
    return { walBytes: this.storage.totalBytes, snapshotsInstalled: this.snapshots.installed };
  }

  /** The read models start over from the state machine, now a snapshot's. */
  private publishRestored(index: number): void {
    const waiting = new Map<string, number>();
    const locks = this.machine.table.list('', Number.MAX_SAFE_INTEGER);
    for (const name of this.machine.table.queuedLockNames())
      waiting.set(name, this.machine.table.waitingCount(name));
    this.appliedEntries.publish(new SnapshotRestoredEvent(index, locks, waiting));
  }

  /** EntryApplier: called by the ReadyProcessor with committed entries in order. */
  apply(entries: LogEntry<LockCommand>[]): void {
    if (this.applyBeforeCommit !== null) {
      const settle = ({ entry, outcome, events }: AppliedEntry) =>
        this.pending.applied(entry, outcome, events);
      this.applyBeforeCommit.committed(entries, settle, (rest) =>
        this.machine.apply(rest, (a) => this.afterApply(a)),
      );
      return;
    }
    this.machine.apply(entries, (applied) => this.afterApply(applied));
  }

  /** The read model sees an entry before its proposer is answered (read-your-writes). */
  private afterApply(applied: AppliedEntry): void {
    this.publishApplied(applied);
    this.pending.applied(applied.entry, applied.outcome, applied.events);
  }

  private publishApplied({ entry, command, outcome, events }: AppliedEntry): void {
    if (command !== null && outcome !== null) {
      this.appliedEntries.publish(
        new LockProposedEvent(entry.index, entry.term, command, outcome, events, entry.leaderTimeMs),
      );
    } else {
      this.appliedEntries.publish(new LogAdvancedEvent(entry.index));
      if (entry.body.type === 'membership')
        this.logger.log(
          `membership at ${entry.index}: ${entry.body.members.map((m) => (m.learner === true ? `${m.id} (learner)` : m.id)).join(', ')}`,
        );
    }
  }

  /**
   * ReadIndex (Raft thesis 6.4): the commit index, once a majority confirmed this node
   * still leads. Reads that wait until it is applied are linearizable.
   */
  readIndex(): Promise<
    | { type: 'index'; index: number }
    | { type: 'notLeader'; leader: Member | null }
    | { type: 'unavailable'; reason: string }
  > {
    const requestId = ++this.readRequests;
    const confirmed = new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => this.settleRead(requestId, null), this.options.requestTimeoutMs);
      this.pendingReads.set(requestId, (index) => {
        clearTimeout(timer);
        resolve(index);
      });
    });
    // Registered before stepping: a lone voter confirms the round inside this very step.
    const result = this.step({ type: 'readIndex', requestId });
    if (result.type === 'notLeader') {
      this.settleRead(requestId, null);
      return Promise.resolve({ type: 'notLeader', leader: this.leader() });
    }
    return confirmed.then((index) =>
      index === null
        ? { type: 'unavailable', reason: 'leadership could not be confirmed with a majority in time' }
        : { type: 'index', index },
    );
  }

  /** ReadStateListener: a majority confirmed these rounds. */
  confirmed(readStates: ReadState[]): void {
    for (const { requestId, index } of readStates) this.settleRead(requestId, index);
  }

  private settleRead(requestId: number, index: number | null): void {
    const settle = this.pendingReads.get(requestId);
    this.pendingReads.delete(requestId);
    settle?.(index);
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

  /** Listed in the membership with this data directory; a listing with another storage is not us. */
  isMember(): boolean {
    return this.node.currentMembers.some((m) => m.id === this.options.id && m.storageId === this.storageId);
  }

  self(): Member {
    return {
      id: this.options.id,
      tcpAddress: tcpAddressOf(this.options),
      httpAddress: httpAddressOf(this.options),
      storageId: this.storageId,
    };
  }

  private onTick(): void {
    this.step({ type: 'tick', nowMs: Date.now() });
    if (++this.ticks % EXPIRY_SCAN_EVERY_TICKS === 0 && this.node.isLeader) this.proposeDueExpiries();
  }

  /** The leader alone decides that time is up, with its clock, through the log. */
  private proposeDueExpiries(): void {
    if (!this.node.isCurrentLeader) return;
    const due = this.machine.dueExpiries(Date.now(), performance.now(), this.node.status().term);
    for (const command of due) void this.propose(command).then(() => this.machine.expirySettled(command));
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
        return this.settlementToResult(
          await this.pending.wait(result.index, result.term, this.options.requestTimeoutMs),
        );
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
        return {
          type: 'unavailable',
          reason: 'no quorum: the request was not committed in time; its outcome is unknown',
        };
      default:
        return unreachable(settlement);
    }
  }
}
