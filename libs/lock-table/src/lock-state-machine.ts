import type { LogEntry, LogIndex } from '@app/replicated-log';
import { dueExpirations } from './due-expirations';
import type { LockCommand } from './lock-command';
import type { LockEvent } from './lock-event';
import type { LockOutcome } from './lock-outcome';
import { LockTable } from './lock-table';
import type { LockTableSnapshot } from './lock-table-snapshot';
import { SessionLeases } from './session-leases';

/** One committed entry as the state machine applied it; `command` is null for noop and membership. */
export interface AppliedEntry {
  entry: LogEntry<LockCommand>;
  command: LockCommand | null;
  outcome: LockOutcome | null;
  events: readonly LockEvent[];
}

export type KeepAliveAnswer = { type: 'alive'; ttlMs: number } | { type: 'notFound' };

/**
 * The state machine one node runs over the log, the same in a node process and in the
 * simulator: the lock table, the leader's session leases and the leader's expiry scan.
 * It has no clock and no I/O: the driver passes the time in, proposes what the scan finds
 * and calls `apply` with committed entries in log order.
 */
export class LockStateMachine {
  readonly table: LockTable;
  private readonly leases: SessionLeases;
  /** expiries proposed and not yet settled, so each is proposed once */
  private readonly expiriesInFlight = new Set<string>();

  /** `sessionGraceMs`: how long a new leader gives every session before its TTL counts (see SessionLeases) */
  /** `tableOptions` carries the lock table's test-only negative controls (off by default). */
  constructor(sessionGraceMs: number, tableOptions: ConstructorParameters<typeof LockTable>[0] = {}) {
    this.table = new LockTable(tableOptions);
    this.leases = new SessionLeases(sessionGraceMs);
  }

  get appliedIndex(): LogIndex {
    return this.table.appliedIndex;
  }

  /** Applies committed entries in order; `onApplied` sees each before the next is applied. */
  apply(entries: readonly LogEntry<LockCommand>[], onApplied: (applied: AppliedEntry) => void): void {
    for (const entry of entries) {
      if (entry.body.type !== 'command') {
        this.table.skip(entry.index);
        onApplied({ entry, command: null, outcome: null, events: [] });
        continue;
      }
      const { command } = entry.body;
      // The table sees time only as the leader's clock stamped on the entry.
      const { outcome, events } = this.table.applyEntry(entry.index, entry.leaderTimeMs, command);
      if (command.type === 'closeSession' || command.type === 'expireSession')
        this.leases.forget(command.sessionId);
      onApplied({ entry, command, outcome, events });
    }
  }

  /**
   * The leader's answer to a keepalive at `monotonicNowMs` in `term`: refused once the
   * session's TTL has passed, even if its expiry is not applied yet.
   */
  keepAlive(sessionId: string, monotonicNowMs: number, term: number): KeepAliveAnswer {
    const session = this.table.session(sessionId);
    this.leases.observeTerm(term);
    if (!session || this.leases.lastKeepAlive(sessionId, monotonicNowMs) + session.ttlMs <= monotonicNowMs)
      return { type: 'notFound' };
    this.leases.touch(sessionId, monotonicNowMs);
    return { type: 'alive', ttlMs: session.ttlMs };
  }

  /**
   * The expiries the leader of `term` should propose now and has not proposed yet. Lock
   * TTLs and wait deadlines were stamped with the leader's wall clock in the log; session
   * leases are this leader's own, on its monotonic clock. Call `expirySettled` once each
   * proposal is answered, whatever the answer.
   */
  dueExpiries(wallNowMs: number, monotonicNowMs: number, term: number): LockCommand[] {
    this.leases.observeTerm(term);
    const due = dueExpirations(
      this.table.expiryState(),
      wallNowMs,
      (session) =>
        this.leases.lastKeepAlive(session.sessionId, monotonicNowMs) + session.ttlMs <= monotonicNowMs,
    );
    return due.filter((command) => {
      const key = JSON.stringify(command);
      if (this.expiriesInFlight.has(key)) return false;
      this.expiriesInFlight.add(key);
      return true;
    });
  }

  /** The state to save in a snapshot; a copy, so applying more entries cannot change it. */
  snapshot(): LockTableSnapshot {
    return this.table.exportState();
  }

  /**
   * Starts over from a snapshot. The leases and the expiries in flight are this node's
   * volatile leader state: a node restoring a snapshot starts them afresh, as a new leader does.
   */
  restore(state: LockTableSnapshot): void {
    this.table.importState(state);
    this.leases.observeTerm(-1);
    this.expiriesInFlight.clear();
  }

  expirySettled(command: LockCommand): void {
    this.expiriesInFlight.delete(JSON.stringify(command));
  }
}
