import { assert, unreachable } from './assert';
import { newFollowerProgress, type FollowerProgress } from './follower-progress';
import type { HardState } from './hard-state';
import type { LogIndex, NodeId, Term } from './ids';
import type { Input } from './input';
import type { EntryBody, LogEntry } from './log-entry';
import { asVoter, isVoterMember, votersOf, type Member } from './member';
import type {
  AppendEntriesMessage,
  AppendEntriesReplyMessage,
  InstallSnapshotMessage,
  PeerMessage,
  RequestVoteMessage,
  RequestVoteReplyMessage,
} from './peer-message';
import { majorityOf, quorumMatchIndex } from './quorum';
import type { CoreFixRevert } from './core-fix-revert';
import { validateRaftConfig, type RaftConfig } from './raft-config';
import { RaftLog } from './raft-log';
import type { Random } from './random';
import type { ReadState, Ready } from './ready';
import { LeaderState, type PendingRead, type PreVoteRound, type Role, type RoleState } from './role-state';
import type { SnapshotMeta } from './snapshot-meta';
import type { StepResult } from './step-result';

export type { Role } from './role-state';

/** how many full AppendEntries messages may be unacknowledged per follower */
const MAX_MESSAGES_IN_FLIGHT = 4;

export interface RaftStatus {
  id: NodeId;
  role: Role;
  term: Term;
  leaderId: NodeId | null;
  commitIndex: LogIndex;
  appliedIndex: LogIndex;
  lastIndex: LogIndex;
  members: Member[];
  /** the index of the membership entry `members` comes from (committed once <= commitIndex) */
  membershipIndex: LogIndex;
  /** the latest snapshot's last included index (0: none yet) */
  snapshotIndex: LogIndex;
  /** the first log entry still held in memory; earlier ones are compacted into the snapshot */
  firstLogIndex: LogIndex;
  /** per follower, only on the leader */
  progress: Record<NodeId, { matchIndex: LogIndex; nextIndex: LogIndex }>;
}

/**
 * One Raft node as a pure state machine (etcd-io/raft's shape): inputs go in through
 * `step`, outputs accumulate until the driver takes them with `ready()` and confirms
 * them with `advance()`. No I/O, no clock, no randomness of its own.
 */
export class RaftNode<C> {
  readonly id: NodeId;
  private readonly log: RaftLog<C>;
  /** the role, with the state that lives only as long as it does */
  private state: RoleState = { role: 'follower' };
  private preVote: PreVoteRound | null = null;
  private term: Term = 0;
  private votedFor: NodeId | null = null;
  private leaderId: NodeId | null = null;
  private commitIndex: LogIndex = 0;
  private members: Member[] = [];

  // Driver bookkeeping: what was handed out in a Ready, and what the driver confirmed.
  private handedOutIndex: LogIndex = 0;
  private persistedIndex: LogIndex = 0;
  private applyHandedOutIndex: LogIndex = 0;
  private appliedIndex: LogIndex = 0;
  private handedOutHardState: HardState;
  private messages: PeerMessage<C>[] = [];

  /** the driver's wall clock as of the last input; only used to stamp entries */
  private leaderClockMs = 0;
  private electionElapsedTicks = 0;
  /** ticks since this node started; the leader's clock for check-quorum */
  private tickCount = 0;
  private randomizedElectionTimeoutTicks: number;
  /** confirmed reads, handed out in the next Ready (they outlive a step-down) */
  private readStates: ReadState[] = [];
  /** a snapshot from the leader the driver has yet to install (thesis 5.3) */
  private pendingInstall: SnapshotMeta | null = null;
  /** a snapshot was asked for and is not written yet: one at a time */
  private snapshotInFlight = false;

  constructor(
    private readonly config: RaftConfig,
    private readonly random: Random,
    recovered: { hardState: HardState; entries: LogEntry<C>[]; snapshot?: SnapshotMeta },
  ) {
    const invalid = validateRaftConfig(config);
    assert(invalid === null, `invalid Raft configuration: ${invalid}`);
    this.id = config.id;
    // The state machine starts from the snapshot; the log holds only what follows it.
    this.log = new RaftLog<C>(recovered.snapshot);
    for (const entry of recovered.entries) this.log.append(entry);
    this.term = recovered.hardState.term;
    this.votedFor = recovered.hardState.votedFor;
    const snapshotIndex = this.log.snapshot.index;
    this.commitIndex = Math.max(snapshotIndex, Math.min(recovered.hardState.commitIndex, this.log.lastIndex));
    this.applyHandedOutIndex = this.appliedIndex = snapshotIndex;
    // What was recovered is on disk already.
    this.handedOutIndex = this.persistedIndex = this.log.lastIndex;
    this.handedOutHardState = this.hardState();
    this.refreshMembers();
    this.randomizedElectionTimeoutTicks = this.randomElectionTimeout();
  }

  /**
   * Starts a brand-new cluster with this node as its only member and leader. Only the
   * first leader of a cluster does this, once, on an empty log.
   */
  bootstrap(self: Member, nowMs: number): void {
    assert(self.id === this.id, 'bootstrap with a foreign member');
    assert(self.storageId === this.config.storageId, 'bootstrap with a foreign storage');
    assert(this.log.lastIndex === 0 && this.term === 0, 'bootstrap on a used log');
    this.term = 1;
    this.votedFor = this.id;
    this.appendOwn({ type: 'membership', members: [asVoter(self)] }, nowMs);
    this.becomeLeader();
  }

  step(input: Input<C>): StepResult {
    switch (input.type) {
      case 'tick':
        this.leaderClockMs = Math.max(this.leaderClockMs, input.nowMs);
        this.tick();
        return { type: 'accepted' };
      case 'receive':
        this.receive(input.message);
        return { type: 'accepted' };
      case 'propose':
        return this.propose(input.body, input.nowMs);
      case 'changeMembership':
        return this.changeMembership(input.members, input.nowMs);
      case 'readIndex':
        return this.readIndex(input.requestId);
      case 'snapshotWritten':
        this.snapshotWritten(input.snapshot);
        return { type: 'accepted' };
      default:
        return unreachable(input);
    }
  }

  hasReady(): boolean {
    const leader = this.leaderState();
    return (
      this.messages.length > 0 ||
      this.readStates.length > 0 ||
      this.pendingInstall !== null ||
      this.snapshotDue() ||
      this.log.lastIndex > this.handedOutIndex ||
      this.commitIndex > this.applyHandedOutIndex ||
      this.hardStateChanged() ||
      (leader !== null &&
        (leader.commitNewsPending || leader.readRoundPending || this.hasUnsentEntries(leader)))
    );
  }

  ready(): Ready<C> {
    const leader = this.leaderState();
    if (leader !== null) {
      if (leader.readRoundPending) this.broadcastHeartbeat(leader);
      leader.readRoundPending = false;
      this.streamEntries(leader);
    }
    const snapshotToInstall = this.pendingInstall;
    this.pendingInstall = null;
    const entries = this.log.slice(this.handedOutIndex + 1, this.log.lastIndex);
    this.handedOutIndex = this.log.lastIndex;
    // An installed snapshot starts the log on disk afresh: it carries the hard state along.
    const hardState = this.hardStateChanged() || snapshotToInstall ? this.hardState() : null;
    const termOrVoteChanged =
      hardState !== null &&
      (hardState.term !== this.handedOutHardState.term ||
        hardState.votedFor !== this.handedOutHardState.votedFor);
    if (hardState) this.handedOutHardState = hardState;
    const committedEntries = this.log.slice(this.applyHandedOutIndex + 1, this.commitIndex);
    this.applyHandedOutIndex = this.commitIndex;
    const messages = this.messages;
    this.messages = [];
    const readStates = this.readStates;
    this.readStates = [];
    const snapshotToTake = this.snapshotDue() ? this.snapshotMetaAt(this.commitIndex) : null;
    if (snapshotToTake) this.snapshotInFlight = true;
    return {
      hardState,
      entries,
      mustSync: entries.length > 0 || termOrVoteChanged || snapshotToInstall !== null,
      messages,
      committedEntries,
      readStates,
      snapshotToInstall,
      snapshotToTake,
    };
  }

  /**
   * The AppendEntries a leader can send now, between Readys: while its own fsync runs,
   * entries proposed since reach the followers at once instead of after that fsync (thesis
   * 10.2.1; the leader counts itself only for what `advance` reported persisted). Other
   * messages stay queued for the next Ready.
   */
  takeAppendsToSend(): PeerMessage<C>[] {
    const leader = this.leaderState();
    if (leader === null) return [];
    this.streamEntries(leader);
    const appends = this.messages.filter((message) => message.type === 'appendEntries');
    if (appends.length > 0)
      this.messages = this.messages.filter((message) => message.type !== 'appendEntries');
    return appends;
  }

  /** Section 7: every `snapshotEveryEntries` applied entries, the state machine is saved. */
  private snapshotDue(): boolean {
    const every = this.config.snapshotEveryEntries ?? 0;
    return (
      every > 0 &&
      !this.snapshotInFlight &&
      this.pendingInstall === null &&
      this.commitIndex - this.log.snapshot.index >= every
    );
  }

  private snapshotMetaAt(index: LogIndex): SnapshotMeta {
    const term = this.log.termAt(index);
    assert(term !== undefined, `no term at ${index} for a snapshot`);
    const membership = this.log.membershipAt(index);
    return { index, term, members: membership.members, membershipIndex: membership.index };
  }

  /**
   * The driver wrote the snapshot we asked for: the entries it covers may go, but for a
   * margin kept so that a follower just behind still gets entries, not the whole snapshot.
   */
  private snapshotWritten(snapshot: SnapshotMeta): void {
    this.snapshotInFlight = false;
    const margin = this.config.snapshotMarginEntries ?? 0;
    this.log.compact(snapshot, Math.max(0, Math.min(snapshot.index - margin, this.commitIndex)));
  }

  /** The driver persisted, sent and applied `ready`. */
  advance(ready: Ready<C>): void {
    // A later truncation may have replaced what this Ready wrote (section 5.3).
    const persisted = ready.entries.findLast((entry) => this.log.termAt(entry.index) === entry.term);
    if (persisted) this.persistedIndex = Math.max(this.persistedIndex, persisted.index);
    if (ready.snapshotToInstall)
      this.appliedIndex = Math.max(this.appliedIndex, ready.snapshotToInstall.index);
    const lastApplied = ready.committedEntries.at(-1);
    if (lastApplied) this.appliedIndex = lastApplied.index;
    const leader = this.leaderState();
    if (leader !== null) this.maybeCommit(leader);
  }

  status(): RaftStatus {
    const progress: RaftStatus['progress'] = {};
    for (const [id, p] of this.leaderState()?.progress ?? [])
      progress[id] = { matchIndex: p.matchIndex, nextIndex: p.nextIndex };
    return {
      id: this.id,
      role: this.role,
      term: this.term,
      leaderId: this.leaderId,
      commitIndex: this.commitIndex,
      appliedIndex: this.appliedIndex,
      lastIndex: this.log.lastIndex,
      members: this.members.map((m) => ({ ...m })),
      membershipIndex: this.log.latestMembership().index,
      snapshotIndex: this.log.snapshot.index,
      firstLogIndex: this.log.firstIndex,
      progress,
    };
  }

  /** The latest membership in the log, committed or not (thesis section 4.1). */
  get currentMembers(): readonly Member[] {
    return this.members;
  }

  get currentLeaderId(): NodeId | null {
    return this.leaderId;
  }

  /**
   * A leader that has applied everything committed before its term: only then does its
   * state machine reflect all acknowledged writes (what a new leader knows at first may
   * be behind, section 5.4.2 and thesis 6.4).
   */
  get isCurrentLeader(): boolean {
    const leader = this.leaderState();
    return leader !== null && this.appliedIndex >= leader.termStartIndex;
  }

  get isLeader(): boolean {
    return this.role === 'leader';
  }

  /** The term of entry `index`, for callers checking that a proposal survived. */
  termAt(index: LogIndex): Term | undefined {
    return this.log.termAt(index);
  }

  /** Checked by the simulator after every step. */
  invariants(): void {
    assert(this.commitIndex <= this.log.lastIndex, 'commitIndex beyond the log');
    assert(this.appliedIndex <= this.commitIndex, 'applied beyond commitIndex');
    assert(this.persistedIndex <= this.log.lastIndex, 'persisted beyond the log');
    assert(this.role !== 'leader' || this.leaderId === this.id, 'leader without itself as leaderId');
    assert(this.role !== 'leader' || this.votedFor === this.id, 'leader that did not vote for itself');
  }

  // --- inputs ---------------------------------------------------------------------

  private get role(): Role {
    return this.state.role;
  }

  /** The leader's own state, or null on a follower or candidate. */
  private leaderState(): LeaderState | null {
    return this.state.role === 'leader' ? this.state.leader : null;
  }

  private tick(): void {
    this.tickCount++;
    this.electionElapsedTicks++;
    const leader = this.leaderState();
    if (leader !== null) {
      leader.heartbeatElapsedTicks++;
      if (leader.heartbeatElapsedTicks >= this.config.heartbeatIntervalTicks) {
        leader.heartbeatElapsedTicks = 0;
        this.broadcastHeartbeat(leader);
      }
      this.checkQuorum(leader);
      if (this.state.role === 'leader') this.promoteCaughtUpLearner(leader);
      return;
    }
    if (this.electionElapsedTicks >= this.randomizedElectionTimeoutTicks && this.isSelfVoter()) {
      this.startPreVote();
    }
  }

  private propose(body: Extract<EntryBody<C>, { type: 'command' }>, nowMs: number): StepResult {
    if (this.role !== 'leader') return { type: 'notLeader', leaderId: this.leaderId };
    const entry = this.appendOwn(body, nowMs);
    return { type: 'proposed', index: entry.index, term: entry.term };
  }

  private changeMembership(members: Member[], nowMs: number): StepResult {
    if (this.role !== 'leader') return { type: 'notLeader', leaderId: this.leaderId };
    const pendingIndex = this.log.latestMembership().index;
    // Thesis 4.1 (and Ongaro's 2015 erratum): one change at a time, and none until this
    // leader has committed an entry of its own term, or two leaders' configs may not overlap.
    const ownTermCommitted =
      this.log.termAt(this.commitIndex) === this.term ||
      this.reverted('membership-change-before-own-term-commit');
    if (pendingIndex > this.commitIndex || !ownTermCommitted) {
      return { type: 'membershipChangePending' };
    }
    const entry = this.appendOwn({ type: 'membership', members }, nowMs);
    return { type: 'proposed', index: entry.index, term: entry.term };
  }

  /**
   * Thesis 6.4: remember the commit index, then confirm with a heartbeat round that we
   * still lead. A leader that has not yet committed an entry of its own term does not
   * know the latest commit index, so the read waits for its noop to commit.
   */
  private readIndex(requestId: number): StepResult {
    const leader = this.leaderState();
    if (leader === null) return { type: 'notLeader', leaderId: this.leaderId };
    const read: PendingRead = { requestId, index: null, seq: ++leader.readSeq, acks: new Set([this.id]) };
    if (this.log.termAt(this.commitIndex) === this.term) read.index = this.commitIndex;
    leader.pendingReads.push(read);
    this.confirmReads(leader, this.id, read.seq);
    // One heartbeat round per Ready confirms every read that arrived meanwhile.
    if (leader.pendingReads.length > 0) leader.readRoundPending = true;
    return { type: 'accepted' };
  }

  /** A member answered a round at or after `seq`: it still follows us in this term. */
  private confirmReads(leader: LeaderState, from: NodeId, seq: number): void {
    if (!this.isVoter(from)) return;
    const majority = this.majority();
    const waiting: PendingRead[] = [];
    for (const read of leader.pendingReads) {
      if (read.seq <= seq) read.acks.add(from);
      let voters = 0;
      for (const id of read.acks) if (this.isVoter(id)) voters++;
      if (read.index !== null && voters >= majority)
        this.readStates.push({ requestId: read.requestId, index: read.index });
      else waiting.push(read);
    }
    leader.pendingReads = waiting;
  }

  private receive(message: PeerMessage<C>): void {
    if (message.to !== this.id) return;
    // Pre-votes never move anyone's term (thesis 9.6), so they bypass the term rules.
    if (message.type === 'requestVote' && message.preVote) return this.handlePreVote(message);
    if (message.type === 'requestVoteReply' && message.preVote) return this.handlePreVoteReply(message);
    if (message.term > this.term) {
      if (message.type === 'requestVote' && this.inLeaderLease()) return;
      this.becomeFollower(message.term, message.type === 'appendEntries' ? message.from : null);
    } else if (message.term < this.term) {
      this.answerStaleMessage(message);
      return;
    }
    switch (message.type) {
      case 'appendEntries':
        return this.handleAppendEntries(message);
      case 'appendEntriesReply':
        return this.handleAppendEntriesReply(message);
      case 'requestVote':
        return this.handleRequestVote(message);
      case 'requestVoteReply':
        return this.handleRequestVoteReply(message);
      case 'installSnapshot':
        return this.handleInstallSnapshot(message);
      default:
        return unreachable(message);
    }
  }

  /**
   * A stale leader or candidate learns the newer term from our answer and steps down
   * (section 5.1). Stale replies are dropped.
   */
  private answerStaleMessage(message: PeerMessage<C>): void {
    if (message.type === 'installSnapshot' || message.type === 'appendEntries') {
      this.send({
        type: 'appendEntriesReply',
        from: this.id,
        to: message.from,
        term: this.term,
        success: false,
        matchIndex: 0,
        lastLogIndex: this.log.lastIndex,
        rejectedIndex: message.type === 'appendEntries' ? message.prevLogIndex : message.snapshot.index,
        storageId: this.config.storageId,
      });
    } else if (message.type === 'requestVote') {
      this.send({
        type: 'requestVoteReply',
        from: this.id,
        to: message.from,
        term: this.term,
        granted: false,
        storageId: this.config.storageId,
      });
    }
  }

  /**
   * Raft thesis 4.2.3: while we hear from a leader, ignore vote requests, so that a
   * server that was partitioned away (or removed) cannot depose a healthy leader.
   */
  private inLeaderLease(): boolean {
    return this.leaderId !== null && this.electionElapsedTicks < this.config.electionTimeoutMinTicks;
  }

  // --- follower side ----------------------------------------------------------------

  private handleAppendEntries(message: AppendEntriesMessage<C>): void {
    // Two leaders in one term cannot happen (section 5.2); such a message is forged.
    if (this.role === 'leader') return;
    if (this.role !== 'follower') this.becomeFollower(this.term, message.from);
    this.leaderId = message.from;
    this.electionElapsedTicks = 0;
    this.preVote = null;
    const reply = (success: boolean, matchIndex: LogIndex, lastLogIndex: LogIndex) =>
      this.send({
        type: 'appendEntriesReply',
        from: this.id,
        to: message.from,
        term: this.term,
        success,
        matchIndex,
        lastLogIndex,
        readSeq: message.readSeq,
        ...(success ? {} : { rejectedIndex: message.prevLogIndex }),
        storageId: this.config.storageId,
      });

    if (!entriesFollow(message)) return;
    const offset = this.log.firstIndex - 1;
    if (message.prevLogIndex < offset) {
      // Entries up to the offset are in our snapshot, committed: they match the leader's.
      const skip = offset - message.prevLogIndex;
      const covered = message.entries[skip - 1];
      if (covered === undefined)
        return reply(true, message.prevLogIndex + message.entries.length, this.log.lastIndex);
      message = {
        ...message,
        prevLogIndex: offset,
        prevLogTerm: covered.term,
        entries: message.entries.slice(skip),
      };
    }
    if (message.prevLogIndex > this.log.lastIndex) {
      return reply(false, 0, this.log.lastIndex);
    }
    if (this.log.termAt(message.prevLogIndex) !== message.prevLogTerm) {
      // Section 5.3's optimization: skip back over the whole conflicting term at once, not
      // one entry per round trip (committed entries always match, so stop there).
      const conflictTerm = this.log.termAt(message.prevLogIndex);
      let hint = message.prevLogIndex - 1;
      while (hint > this.commitIndex && this.log.termAt(hint) === conflictTerm) hint--;
      return reply(false, 0, hint);
    }
    this.appendFromLeader(message.entries);
    const lastNewIndex = message.prevLogIndex + message.entries.length;
    // Only entries known to match the leader's may be marked committed.
    const newCommitIndex = Math.min(message.leaderCommit, lastNewIndex);
    if (newCommitIndex > this.commitIndex) this.commitIndex = newCommitIndex;
    reply(true, lastNewIndex, this.log.lastIndex);
  }

  /** Appends what we lack; truncates our suffix at the first conflicting term. */
  private appendFromLeader(entries: LogEntry<C>[]): void {
    for (const [i, entry] of entries.entries()) {
      const ourTerm = this.log.termAt(entry.index);
      if (ourTerm === entry.term) continue;
      if (ourTerm !== undefined) {
        assert(entry.index > this.commitIndex, `conflict at committed index ${entry.index}`);
        this.log.truncateFrom(entry.index);
        this.handedOutIndex = Math.min(this.handedOutIndex, entry.index - 1);
        this.persistedIndex = Math.min(this.persistedIndex, entry.index - 1);
      }
      for (const rest of entries.slice(i)) this.log.append(rest);
      this.refreshMembers();
      return;
    }
  }

  /**
   * Thesis 5.3: the leader no longer holds the entries we lack and sent its snapshot (the
   * driver has received it whole and made it durable before stepping this message in).
   * A snapshot at or below our commit index tells us nothing new; otherwise it replaces
   * the log (keeping a matching suffix) and the state machine, both done by the driver
   * from the next Ready, before the acknowledgement leaves.
   */
  private handleInstallSnapshot(message: InstallSnapshotMessage): void {
    if (this.role === 'leader') return;
    if (this.role !== 'follower') this.becomeFollower(this.term, message.from);
    this.leaderId = message.from;
    this.electionElapsedTicks = 0;
    this.preVote = null;
    const snapshot = message.snapshot;
    if (snapshot.index > this.commitIndex) {
      this.log.install(snapshot);
      this.commitIndex = snapshot.index;
      // The driver rewrites the log on top of the snapshot: whatever is kept goes out again.
      this.handedOutIndex = this.persistedIndex = snapshot.index;
      this.applyHandedOutIndex = snapshot.index;
      this.pendingInstall = snapshot;
      this.snapshotInFlight = false;
      this.refreshMembers();
    }
    this.send({
      type: 'appendEntriesReply',
      from: this.id,
      to: message.from,
      term: this.term,
      success: true,
      matchIndex: snapshot.index,
      lastLogIndex: this.log.lastIndex,
      storageId: this.config.storageId,
    });
  }

  private handleRequestVote(message: RequestVoteMessage): void {
    const canVote = this.votedFor === null || this.votedFor === message.from;
    const granted = canVote && this.log.isUpToDate(message.lastLogIndex, message.lastLogTerm);
    if (granted) {
      this.votedFor = message.from;
      this.electionElapsedTicks = 0;
    }
    // The reply leaves only after votedFor is on disk (the Ready contract).
    this.send({
      type: 'requestVoteReply',
      from: this.id,
      to: message.from,
      term: this.term,
      granted,
      storageId: this.config.storageId,
    });
  }

  // --- candidate side ---------------------------------------------------------------

  /**
   * Thesis 9.6: before raising its term, a node asks whether a majority would vote for
   * it. A node cut off from the others (or with a stale log) then cannot force a healthy
   * leader to step down when it comes back with a higher term.
   */
  private startPreVote(): void {
    this.leaderId = null;
    this.resetElectionTimer();
    const round: PreVoteRound = { granted: new Set([this.id]) };
    this.preVote = round;
    if (round.granted.size >= this.majority()) return this.campaign();
    for (const member of votersOf(this.members)) {
      if (member.id === this.id) continue;
      this.send({
        type: 'requestVote',
        from: this.id,
        to: member.id,
        term: this.term + 1,
        lastLogIndex: this.log.lastIndex,
        lastLogTerm: this.log.lastTerm,
        preVote: true,
      });
    }
  }

  /** Would we vote? Only if we hear no leader ourselves and the candidate's log is current. */
  private handlePreVote(message: RequestVoteMessage): void {
    const granted =
      message.term > this.term &&
      !this.inLeaderLease() &&
      this.log.isUpToDate(message.lastLogIndex, message.lastLogTerm);
    this.send({
      type: 'requestVoteReply',
      from: this.id,
      to: message.from,
      term: granted ? message.term : this.term,
      granted,
      preVote: true,
      storageId: this.config.storageId,
    });
  }

  private handlePreVoteReply(message: RequestVoteReplyMessage): void {
    const round = this.preVote;
    if (round === null || this.role === 'leader') return;
    if (!message.granted) {
      if (message.term > this.term) this.becomeFollower(message.term, null);
      return;
    }
    if (message.term !== this.term + 1 || !this.countsFrom(message.from, message.storageId)) return;
    round.granted.add(message.from);
    if (round.granted.size >= this.majority()) this.campaign();
  }

  private campaign(): void {
    this.preVote = null;
    const votes = new Set([this.id]);
    this.state = { role: 'candidate', votes };
    this.term++;
    this.votedFor = this.id;
    this.leaderId = null;
    this.resetElectionTimer();
    if (votes.size >= this.majority()) return this.becomeLeader();
    for (const member of votersOf(this.members)) {
      if (member.id === this.id) continue;
      this.send({
        type: 'requestVote',
        from: this.id,
        to: member.id,
        term: this.term,
        lastLogIndex: this.log.lastIndex,
        lastLogTerm: this.log.lastTerm,
      });
    }
  }

  private handleRequestVoteReply(message: RequestVoteReplyMessage): void {
    if (this.state.role !== 'candidate' || !message.granted) return;
    if (!this.countsFrom(message.from, message.storageId)) return;
    const { votes } = this.state;
    votes.add(message.from);
    if (votes.size >= this.majority()) this.becomeLeader();
  }

  // --- leader side ------------------------------------------------------------------

  private becomeLeader(): void {
    this.preVote = null;
    this.leaderId = this.id;
    this.electionElapsedTicks = 0;
    // Followers are probed from just past our log as it was before our noop (figure 2).
    const lastIndexBefore = this.log.lastIndex;
    // Section 5.4.2: earlier terms' entries commit only through one of our own term.
    if (this.log.lastTerm !== this.term) this.appendOwn({ type: 'noop' }, this.leaderClockMs);
    const leader = new LeaderState(this.log.lastIndex);
    for (const member of this.members) {
      if (member.id !== this.id)
        leader.progress.set(member.id, newFollowerProgress(lastIndexBefore, this.tickCount));
    }
    this.state = { role: 'leader', leader };
    this.broadcastHeartbeat(leader);
  }

  private handleAppendEntriesReply(message: AppendEntriesReplyMessage): void {
    const leader = this.leaderState();
    const progress = leader?.progress.get(message.from);
    if (leader === null || progress === undefined) return;
    // No follower can hold more than we sent; such a reply is forged or corrupt.
    if (message.matchIndex > this.log.lastIndex || message.lastLogIndex < -1) return;
    if (!this.hasRecordedStorage(message.from, message.storageId)) return this.forgetStorage(progress);
    progress.lastHeardTick = this.tickCount;
    if (message.readSeq !== undefined && leader.pendingReads.length > 0)
      this.confirmReads(leader, message.from, message.readSeq);
    if (message.success) {
      if (message.matchIndex > progress.matchIndex) progress.matchIndex = message.matchIndex;
      progress.nextIndex = Math.max(progress.nextIndex, progress.matchIndex + 1);
      progress.probing = false;
      this.maybeCommit(leader);
      return;
    }
    // A rejection of a message older than what the follower has since matched, or of a
    // probe other than the latest, is stale (reordered or duplicated): acting on it would
    // resend what the follower already has (etcd's MaybeDecrTo).
    const rejected = message.rejectedIndex ?? progress.nextIndex - 1;
    if (rejected <= progress.matchIndex || (progress.probing && rejected !== progress.nextIndex - 1)) return;
    // Section 5.3: retry further back, skipping to just past the follower's log, but
    // never below what it has matched.
    const retryFrom = Math.min(rejected, message.lastLogIndex + 1);
    progress.nextIndex = Math.max(progress.matchIndex + 1, retryFrom, 1);
    progress.probing = true;
    this.sendAppend(leader, message.from, progress);
  }

  private maybeCommit(leader: LeaderState): void {
    const matchIndexes = votersOf(this.members).map((m) =>
      m.id === this.id ? this.persistedIndex : (leader.progress.get(m.id)?.matchIndex ?? 0),
    );
    const candidate = this.config.unsafeCommitWithoutQuorum
      ? this.persistedIndex
      : quorumMatchIndex(matchIndexes);
    // Section 5.4.2: count replicas only for entries of the current term.
    if (candidate > this.commitIndex && this.log.termAt(candidate) === this.term) {
      this.commitIndex = candidate;
      leader.commitNewsPending = leader.progress.size > 0;
      for (const read of leader.pendingReads) if (read.index === null) read.index = candidate;
      if (leader.pendingReads.length > 0) this.confirmReads(leader, this.id, leader.readSeq);
      // Thesis 4.2.2: a leader removed from the membership leads until that change commits.
      if (!this.isVoter(this.id)) this.becomeFollower(this.term, null);
    }
  }

  /**
   * A leader that has not heard from a majority within the last (minimum) election
   * timeout steps down: by then the others may have elected someone else, and it must
   * not go on answering as leader. While it hears from a majority it holds its lease.
   */
  private checkQuorum(leader: LeaderState): void {
    let active = this.isSelfVoter() ? 1 : 0;
    for (const [id, progress] of leader.progress) {
      if (this.isVoter(id) && this.tickCount - progress.lastHeardTick < this.config.electionTimeoutMinTicks)
        active++;
    }
    if (active < this.majority()) return this.becomeFollower(this.term, null);
    this.electionElapsedTicks = 0;
  }

  private broadcastHeartbeat(leader: LeaderState): void {
    for (const [id, progress] of leader.progress) this.sendAppend(leader, id, progress);
  }

  /**
   * Sends entries to every follower that is streaming and has something new. When the
   * commit index moved, streaming followers hear it now rather than at the next
   * heartbeat, so they apply (and answer their clients) without waiting.
   */
  private streamEntries(leader: LeaderState): void {
    for (const [id, progress] of leader.progress) {
      if (this.canStream(progress) || (leader.commitNewsPending && !progress.probing))
        this.sendAppend(leader, id, progress);
    }
    leader.commitNewsPending = false;
  }

  private hasUnsentEntries(leader: LeaderState): boolean {
    for (const progress of leader.progress.values()) if (this.canStream(progress)) return true;
    return false;
  }

  /** Bounds what is in flight to one follower, so a slow one is not flooded. */
  private canStream(progress: FollowerProgress): boolean {
    const inFlight = progress.nextIndex - 1 - progress.matchIndex;
    return (
      !progress.probing &&
      progress.nextIndex <= this.log.lastIndex &&
      inFlight < this.config.maxEntriesPerMessage * MAX_MESSAGES_IN_FLIGHT
    );
  }

  private sendAppend(leader: LeaderState, to: NodeId, progress: FollowerProgress): void {
    const prevLogIndex = progress.nextIndex - 1;
    const prevLogTerm = this.log.termAt(prevLogIndex);
    if (prevLogTerm === undefined && prevLogIndex < this.log.firstIndex) {
      // Section 7: what this follower lacks was compacted away; it gets the snapshot. Until
      // it answers, the follower is probed, one message at a time (the driver sends the
      // snapshot's bytes once per follower, however often it is asked).
      progress.probing = true;
      this.send({ type: 'installSnapshot', from: this.id, to, term: this.term, snapshot: this.log.snapshot });
      return;
    }
    assert(prevLogTerm !== undefined, `nextIndex ${progress.nextIndex} past the log of ${to}`);
    const entries = this.log.slice(progress.nextIndex, prevLogIndex + this.config.maxEntriesPerMessage);
    // While probing, one message at a time; while streaming, assume delivery.
    const lastSent = entries.at(-1);
    if (!progress.probing && lastSent) progress.nextIndex = lastSent.index + 1;
    this.send({
      type: 'appendEntries',
      from: this.id,
      to,
      term: this.term,
      prevLogIndex,
      prevLogTerm,
      entries,
      leaderCommit: this.commitIndex,
      readSeq: leader.readSeq,
    });
  }

  // --- shared -----------------------------------------------------------------------

  private becomeFollower(term: Term, leaderId: NodeId | null): void {
    this.preVote = null;
    if (term > this.term) {
      this.term = term;
      this.votedFor = null;
    }
    // Dropping the leader's state abandons the reads it could not confirm; the driver times them out.
    this.state = { role: 'follower' };
    this.leaderId = leaderId;
    this.resetElectionTimer();
  }

  private appendOwn(body: EntryBody<C>, nowMs: number): LogEntry<C> {
    this.leaderClockMs = Math.max(this.leaderClockMs, nowMs);
    const entry: LogEntry<C> = { term: this.term, index: this.log.lastIndex + 1, leaderTimeMs: nowMs, body };
    this.log.append(entry);
    if (body.type === 'membership') {
      const before = this.members;
      this.refreshMembers();
      const leader = this.leaderState();
      if (leader !== null) this.trackProgress(leader, before, entry.index);
    }
    return entry;
  }

  /**
   * After a membership change on the leader: new members (voters and learners) get a
   * progress and are probed at once; a member whose storage changed starts over, since
   * nothing the old storage acknowledged is there any more; removed ones are forgotten.
   */
  private trackProgress(leader: LeaderState, before: readonly Member[], entryIndex: LogIndex): void {
    for (const member of this.members) {
      if (member.id === this.id) continue;
      const old = before.find((m) => m.id === member.id);
      if (leader.progress.has(member.id) && old?.storageId === member.storageId) continue;
      const progress = newFollowerProgress(entryIndex - 1, this.tickCount);
      leader.progress.set(member.id, progress);
      this.sendAppend(leader, member.id, progress);
    }
    for (const id of [...leader.progress.keys()])
      if (!this.members.some((m) => m.id === id)) leader.progress.delete(id);
  }

  /**
   * Thesis 4.2.1: a learner becomes a voter only once it has caught up, so that adding a
   * server never waits on it (or, if it never answers, stops the cluster). The bound: it
   * holds every committed entry, is at most one message (maxEntriesPerMessage) behind our
   * last index, and answered within the last minimum election timeout. One learner per
   * change, under the same one-change-at-a-time rule as any other change.
   */
  private promoteCaughtUpLearner(leader: LeaderState): void {
    if (this.log.latestMembership().index > this.commitIndex) return;
    if (this.log.termAt(this.commitIndex) !== this.term) return;
    const ready = this.members.find((m) => {
      const progress = leader.progress.get(m.id);
      return (
        !isVoterMember(m) &&
        progress !== undefined &&
        progress.matchIndex >= this.commitIndex &&
        this.log.lastIndex - progress.matchIndex <= this.config.maxEntriesPerMessage &&
        this.tickCount - progress.lastHeardTick < this.config.electionTimeoutMinTicks
      );
    });
    if (ready === undefined) return;
    const members = this.members.map((m) => (m.id === ready.id ? asVoter(m) : m));
    this.appendOwn({ type: 'membership', members }, this.leaderClockMs);
  }

  /** Section 4.1 of the thesis: a server uses the latest membership in its log. */
  private refreshMembers(): void {
    this.members = this.log.latestMembership().members;
  }

  /** A voting member (not a learner) of the latest membership. */
  private isVoter(id: NodeId): boolean {
    return this.members.some((m) => m.id === id && isVoterMember(m));
  }

  /** Whether `storageId` is the storage recorded for member `id`. */
  private hasRecordedStorage(id: NodeId, storageId: string): boolean {
    const anyStorage = this.reverted('votes-from-any-storage');
    return this.members.some((m) => m.id === id && (anyStorage || m.storageId === storageId));
  }

  /** Test-only: whether a regression run took this fix back out (see CoreFixRevert). */
  private reverted(fix: CoreFixRevert): boolean {
    return this.config.testOnlyReverts?.has(fix) === true;
  }

  /** A vote or an acknowledgement counts only from a voter with the storage recorded for it. */
  private countsFrom(id: NodeId, storageId: string): boolean {
    return this.isVoter(id) && this.hasRecordedStorage(id, storageId);
  }

  /** Only a voter with its recorded storage campaigns and counts itself (an emptied one must not). */
  private isSelfVoter(): boolean {
    return this.countsFrom(this.id, this.config.storageId);
  }

  private majority(): number {
    return majorityOf(votersOf(this.members).length);
  }

  /**
   * A member answered from a storage other than the one recorded for it: its data
   * directory was replaced. What the old storage acknowledged is gone, so its match index
   * no longer counts toward any majority, and nothing it says now counts either.
   */
  private forgetStorage(progress: FollowerProgress): void {
    progress.matchIndex = 0;
    progress.nextIndex = this.log.lastIndex + 1;
    progress.probing = true;
  }

  private send(message: PeerMessage<C>): void {
    this.messages.push(message);
  }

  private resetElectionTimer(): void {
    this.electionElapsedTicks = 0;
    this.randomizedElectionTimeoutTicks = this.randomElectionTimeout();
  }

  private randomElectionTimeout(): number {
    return this.random.intBetween(this.config.electionTimeoutMinTicks, this.config.electionTimeoutMaxTicks);
  }

  private hardState(): HardState {
    return { term: this.term, votedFor: this.votedFor, commitIndex: this.commitIndex };
  }

  private hardStateChanged(): boolean {
    const last = this.handedOutHardState;
    return (
      last.term !== this.term || last.votedFor !== this.votedFor || last.commitIndex !== this.commitIndex
    );
  }
}

/** A well-formed AppendEntries carries contiguous entries right after prevLogIndex. */
function entriesFollow<C>(message: AppendEntriesMessage<C>): boolean {
  let previousTerm = message.prevLogTerm;
  for (const [i, entry] of message.entries.entries()) {
    if (
      entry.index !== message.prevLogIndex + 1 + i ||
      entry.term < previousTerm ||
      entry.term > message.term
    )
      return false;
    previousTerm = entry.term;
  }
  return true;
}
