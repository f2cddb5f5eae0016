import type { LockCommand, LockStateMachine } from '@app/lock-table';
import type { LogIndex, NodeId, RaftNode, Term } from '@app/replicated-log';
import { ensure } from './simulation-failure';

/** As on a node (ReplicaService): the leader scans for expiries every this many ticks. */
export const EXPIRY_SCAN_EVERY_TICKS = 5;
/** As a node's request timeout: an expiry proposal not applied by then is settled anyway. */
const EXPIRY_ANSWER_TIMEOUT_TICKS = 200;

/** What one node's expiry scan has proposed and not yet seen answered. */
interface InFlight {
  command: LockCommand;
  index: LogIndex;
  term: Term;
  proposedTick: number;
  settled: boolean;
}

/** What the scan needs of one node. */
export interface ScanView {
  id: NodeId;
  incarnation: number;
  raft: RaftNode<LockCommand>;
  machine: LockStateMachine;
}

/**
 * The leader's expiry path, driven as ReplicaService drives it: every few ticks a leader
 * that has applied all before its term asks its LockStateMachine what is due, proposes
 * it, and settles each proposal once its index is applied (or it timed out). It also
 * checks the upper bound of lock TTLs and waits: such a leader never holds an overdue lock
 * or waiter for a whole scan interval with no expiry for it proposed and not yet applied
 * (the end of the run bounds the rest, see TTL_END_SLACK_TICKS).
 */
export class LeaderExpiryScan {
  private readonly inFlight = new Map<string, InFlight[]>();
  /** `${node}#${incarnation}@${term} ${expiry}` -> since when the leader holds it overdue, none in flight */
  private overdueSince = new Map<string, number>();

  /** The expiries to propose now, from the node's own state machine. */
  due(node: ScanView, tick: number, nowMs: number): LockCommand[] {
    this.settle(node, tick);
    if (tick % EXPIRY_SCAN_EVERY_TICKS !== 0 || !node.raft.isCurrentLeader) return [];
    return node.machine.dueExpiries(nowMs, nowMs, node.raft.status().term);
  }

  proposed(node: ScanView, command: LockCommand, index: LogIndex, term: Term, tick: number): void {
    this.flightOf(node).push({ command, index, term, proposedTick: tick, settled: false });
  }

  /** The upper bound, after the tick: every overdue lock or waiter has its expiry proposed. */
  checkOverdue(nodes: readonly ScanView[], tick: number, nowMs: number): void {
    const still = new Map<string, number>();
    for (const node of nodes) {
      if (!node.raft.isCurrentLeader) continue;
      const term = node.raft.status().term;
      const { locks, waiters } = node.machine.table.expiryState();
      const overdue: LockCommand[] = [];
      for (const lock of locks)
        if (lock.expiresAtMs !== null && lock.expiresAtMs <= nowMs)
          overdue.push({ type: 'expireLock', name: lock.name, fencingToken: lock.fencingToken });
      for (const waiter of waiters)
        if (waiter.deadlineMs <= nowMs)
          overdue.push({ type: 'expireWaiter', waiterId: waiter.waiterId, deadlineMs: waiter.deadlineMs });
      for (const expiry of overdue) {
        // Proposed and not yet applied: in this term, or in an earlier one whose entry at
        // that index is still to be applied (a node settles a proposal only then).
        const expected = JSON.stringify(expiry);
        if (this.flightOf(node).some((f) => JSON.stringify(f.command) === expected)) continue;
        const key = `${node.id}#${node.incarnation}@${term} ${expected}`;
        const since = this.overdueSince.get(key) ?? tick;
        still.set(key, since);
        ensure(
          tick - since < EXPIRY_SCAN_EVERY_TICKS,
          () =>
            `${node.id} leads term ${term} and has held ${expected} overdue with no expiry in flight since tick ${since}`,
        );
      }
    }
    this.overdueSince = still;
  }

  /**
   * Settles what was applied at its index (whoever's entry it was) or timed out, as a node
   * does. A timed-out proposal stays listed until applied: it is still in the log.
   */
  private settle(node: ScanView, tick: number): void {
    const applied = node.machine.appliedIndex;
    const open = this.flightOf(node).filter((f) => {
      const done = f.index <= applied;
      if (!f.settled && (done || tick - f.proposedTick > EXPIRY_ANSWER_TIMEOUT_TICKS)) {
        f.settled = true;
        node.machine.expirySettled(f.command);
      }
      return !done;
    });
    this.inFlight.set(`${node.id}#${node.incarnation}`, open);
  }

  private flightOf(node: ScanView): InFlight[] {
    const key = `${node.id}#${node.incarnation}`;
    let flight = this.inFlight.get(key);
    if (flight === undefined) {
      flight = [];
      this.inFlight.set(key, flight);
    }
    return flight;
  }
}
