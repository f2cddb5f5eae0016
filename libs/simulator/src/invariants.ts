import type { LockCommand, LockOutcome, LockTable } from '@app/lock-table';
import type {
  LogEntry,
  LogIndex,
  NodeId,
  PeerMessage,
  RaftNode,
  RecoveredState,
  Term,
} from '@app/replicated-log';
import { LockInvariants } from './lock-invariants';
import { ProposalLedger } from './proposal-ledger';
import { check } from './simulation-failure';
import { WorkloadTally } from './workload-counts';

/** What the checker may look at of one node. */
export interface NodeView {
  id: NodeId;
  incarnation: number;
  up: boolean;
  raft: RaftNode<LockCommand>;
  table: LockTable;
}

interface AppliedRecord {
  key: string;
  outcome: string;
}

/** Every how many ticks the whole log of every node is compared with the committed prefix. */
const FULL_SWEEP_INTERVAL = 100;

/**
 * The safety properties, checked as the run goes: (1) election safety, (2) each node's own
 * invariants, (3) state machine safety, (4) committed entries never change, (5) the lock
 * table's properties on every node's applied state (LockInvariants), (6) no acknowledged
 * proposal lost (ProposalLedger), plus the durability of terms and votes across crashes.
 * It also tallies what the committed log held (WorkloadTally).
 */
export class SafetyChecker {
  readonly locks = new LockInvariants();
  readonly tally = new WorkloadTally();
  readonly proposals = new ProposalLedger();
  /** (1) term -> the one node that led it, over the whole history */
  readonly leaders = new Map<Term, NodeId>();
  /** `${voter}/${storage}@${term}` -> the candidate it granted its vote to; an emptied directory forgot its votes */
  private readonly votes = new Map<string, NodeId>();
  private readonly maxSentTerm = new Map<NodeId, Term>();
  /** (3) position i - 1: the first entry and outcome any node applied at index i */
  private readonly applied: AppliedRecord[] = [];
  private readonly appliedByNode = new Map<NodeId, { incarnation: number; keys: string[] }>();
  /** (4) position i - 1: the term of committed entry i, as first seen committed anywhere */
  private readonly committedTerms: Term[] = [];
  /** per node: how far its commit index was checked against committedTerms, this incarnation */
  private readonly checkedCommit = new Map<NodeId, { incarnation: number; commitIndex: LogIndex }>();
  /** per node: its log is known to hold the committed entries 1..n; they must never change */
  private readonly verifiedPrefix = new Map<NodeId, LogIndex>();

  /** (1) and (2), after every input a node steps. */
  afterStep(view: NodeView): void {
    view.raft.invariants();
    if (view.raft.isLeader) this.observeLeader(view.id, view.raft.status().term);
  }

  onSend(message: PeerMessage<LockCommand>): void {
    // Pre-votes (thesis 9.6) name a term nobody has moved to, and grant no vote.
    if ((message.type === 'requestVote' || message.type === 'requestVoteReply') && message.preVote) return;
    this.maxSentTerm.set(message.from, Math.max(this.maxSentTerm.get(message.from) ?? 0, message.term));
    if (message.type === 'appendEntries') this.observeLeader(message.from, message.term);
    if (message.type === 'requestVoteReply' && message.granted) {
      const key = `${message.from}/${message.storageId}@${message.term}`;
      const earlier = this.votes.get(key);
      check(
        earlier === undefined || earlier === message.to,
        `${message.from} voted for both ${earlier} and ${message.to} in term ${message.term}`,
      );
      this.votes.set(key, message.to);
    }
  }

  /**
   * (3): every node applies 1, 2, 3... and the same entry, with the same outcome, at each
   * index. True when this is the first application of the index anywhere.
   */
  onApply(
    nodeId: NodeId,
    incarnation: number,
    entry: LogEntry<LockCommand>,
    outcome: LockOutcome | null,
  ): boolean {
    const key = JSON.stringify([entry.term, entry.leaderTimeMs, entry.body]);
    const mine = this.appliedOf(nodeId, incarnation);
    check(
      entry.index === mine.keys.length + 1,
      `${nodeId} applied index ${entry.index} after ${mine.keys.length}`,
    );
    mine.keys.push(key);
    const record: AppliedRecord = { key, outcome: JSON.stringify(outcome) };
    const first = this.applied[entry.index - 1];
    if (first === undefined) {
      this.applied.push(record);
    } else {
      check(
        first.key === key,
        `state machine safety: ${nodeId} applied ${key} at ${entry.index}, another node applied ${first.key}`,
      );
      check(
        first.outcome === record.outcome,
        `${nodeId} got outcome ${record.outcome} at ${entry.index}, another node got ${first.outcome}`,
      );
    }
    this.proposals.onApply(nodeId, incarnation, entry, key);
    return first === undefined;
  }

  /** (4) at the disk: an entry a node held as committed may be rewritten only by itself. */
  onDiskWrite(nodeId: NodeId, entries: LogEntry<LockCommand>[]): void {
    const prefix = this.verifiedPrefix.get(nodeId) ?? 0;
    for (const entry of entries) {
      if (entry.index > prefix) break;
      const committed = this.committedTerms[entry.index - 1];
      check(
        entry.term === committed,
        `${nodeId} overwrote committed entry ${entry.index} (term ${committed}) with term ${entry.term}`,
      );
    }
  }

  /**
   * A node's data directory was wiped: it keeps nothing, and the cluster must treat it as
   * new storage (its votes and acknowledgements count for nothing until it rejoins).
   */
  onWipe(nodeId: NodeId): void {
    this.maxSentTerm.delete(nodeId);
    this.verifiedPrefix.delete(nodeId);
  }

  /** A crash must not lose a term the node spoke in, a vote it gave, or a committed entry it held. */
  onRestart(nodeId: NodeId, storageId: string, recovered: RecoveredState<LockCommand>): void {
    const { term, votedFor } = recovered.hardState;
    const sent = this.maxSentTerm.get(nodeId) ?? 0;
    check(term >= sent, `${nodeId} restarted at term ${term} but had sent messages in term ${sent}`);
    const vote = this.votes.get(`${nodeId}/${storageId}@${term}`);
    check(
      vote === undefined || votedFor === vote,
      `${nodeId} restarted with votedFor ${votedFor} in term ${term}, but had voted for ${vote}`,
    );
    const prefix = this.verifiedPrefix.get(nodeId) ?? 0;
    check(
      recovered.entries.length >= prefix,
      `${nodeId} restarted with ${recovered.entries.length} entries, but held committed entries up to ${prefix}`,
    );
    for (let i = 1; i <= prefix; i++) {
      check(
        recovered.entries[i - 1]?.term === this.committedTerms[i - 1],
        `${nodeId} restarted with a different committed entry ${i}`,
      );
    }
  }

  afterTick(views: NodeView[], tick: number): void {
    for (const view of views) {
      if (!view.up) continue;
      // Advances run after the last step of a tick, so check the node's own invariants again.
      view.raft.invariants();
      this.recordCommitted(view);
      this.extendVerifiedPrefix(view, tick % FULL_SWEEP_INTERVAL === 0);
      this.locks.checkTable(view.id, view.incarnation, view.table);
    }
  }

  /** The entries a node applied in its current incarnation, by index. */
  appliedKeys(nodeId: NodeId): readonly string[] {
    return this.appliedByNode.get(nodeId)?.keys ?? [];
  }

  get committedCount(): number {
    return this.committedTerms.length;
  }

  private observeLeader(nodeId: NodeId, term: Term): void {
    const known = this.leaders.get(term);
    check(
      known === undefined || known === nodeId,
      `election safety: ${known} and ${nodeId} both led term ${term}`,
    );
    this.leaders.set(term, nodeId);
  }

  private appliedOf(nodeId: NodeId, incarnation: number): { incarnation: number; keys: string[] } {
    let mine = this.appliedByNode.get(nodeId);
    // A restarted node applies again from index 1 into a fresh lock table.
    if (mine === undefined || mine.incarnation !== incarnation) {
      mine = { incarnation, keys: [] };
      this.appliedByNode.set(nodeId, mine);
    }
    return mine;
  }

  /** (4): commit indexes only grow, and every node agrees on the term of each committed index. */
  private recordCommitted(view: NodeView): void {
    const { commitIndex } = view.raft.status();
    const last = this.checkedCommit.get(view.id);
    const from = last?.incarnation === view.incarnation ? last.commitIndex : 0;
    check(commitIndex >= from, `${view.id} commit index went back from ${from} to ${commitIndex}`);
    for (let i = from + 1; i <= commitIndex; i++) {
      const term = view.raft.termAt(i);
      check(term !== undefined, `${view.id} has commit index ${commitIndex} but no entry ${i}`);
      if (i > this.committedTerms.length) this.committedTerms.push(term);
      check(
        this.committedTerms[i - 1] === term,
        `${view.id} committed term ${term} at ${i}, another node committed term ${this.committedTerms[i - 1]}`,
      );
    }
    this.checkedCommit.set(view.id, { incarnation: view.incarnation, commitIndex });
  }

  /** Grows the prefix of the node's log known to match the committed one; rechecks all of it now and then. */
  private extendVerifiedPrefix(view: NodeView, fullSweep: boolean): void {
    let prefix = this.verifiedPrefix.get(view.id) ?? 0;
    if (fullSweep) {
      for (let i = 1; i <= prefix; i++) {
        check(
          view.raft.termAt(i) === this.committedTerms[i - 1],
          `${view.id} no longer holds committed entry ${i}`,
        );
      }
    }
    const limit = Math.min(this.committedTerms.length, view.raft.status().lastIndex);
    while (prefix < limit && view.raft.termAt(prefix + 1) === this.committedTerms[prefix]) prefix++;
    this.verifiedPrefix.set(view.id, prefix);
  }
}
