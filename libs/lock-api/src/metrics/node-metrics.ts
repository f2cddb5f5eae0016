import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RaftStatus } from '@app/replicated-log';
import type { ActivityDelta } from '../dashboard/lock-activity';

/** Seconds; from a fast fsync on an SSD to a stalled disk. */
const DISK_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];
const REQUEST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Seconds a lock is held or waited for: from a quick critical section to an hour. */
const LOCK_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600];

export type RequestOutcome = 'ok' | 'refused' | 'rejected' | 'unavailable' | 'error';

/**
 * Every metric a node exports, in its own registry. No label carries a lock name, a
 * client id or a session id: label values come from small fixed sets (roles, command
 * types, outcomes, member ids of the cluster), so cardinality stays bounded.
 */
export class NodeMetrics {
  readonly registry = new Registry();
  private readonly role = this.gauge('latchkey_role', 'This node’s role (1 for the current one)', ['role']);
  private readonly term = this.gauge('latchkey_term', 'Current Raft term');
  private readonly leaderChanges = this.counter(
    'latchkey_leader_changes_total',
    'Times this node saw the leader change (including to none)',
  );
  private readonly commitIndex = this.gauge('latchkey_commit_index', 'Highest log index known committed');
  private readonly appliedIndex = this.gauge('latchkey_applied_index', 'Highest log index applied here');
  private readonly lastIndex = this.gauge('latchkey_last_index', 'Highest log index in this node’s log');
  private readonly members = this.gauge('latchkey_members', 'Members in this node’s configuration');
  private readonly followerLag = this.gauge(
    'latchkey_follower_lag_entries',
    'On the leader: entries each follower is behind the leader’s last index',
    ['member'],
  );
  readonly walAppend = this.histogram(
    'latchkey_wal_append_seconds',
    'Time to write one batch of log entries and hard state to the WAL (with its fsync when required)',
    DISK_BUCKETS,
  );
  readonly walFsync = this.histogram(
    'latchkey_wal_fsync_seconds',
    'Time to make one batch durable: write plus fsync, what a commit waits for',
    DISK_BUCKETS,
  );
  readonly walEntries = this.counter('latchkey_wal_entries_written_total', 'Log entries written to the WAL');
  private readonly commands = this.counter(
    'latchkey_commands_applied_total',
    'Committed commands applied, by type (the rate is proposals per second that made it)',
    ['command'],
  );
  private readonly grants = this.counter('latchkey_lock_grants_total', 'Locks granted');
  private readonly releases = this.counter('latchkey_lock_releases_total', 'Locks released by their holder');
  private readonly expiries = this.counter(
    'latchkey_lock_expiries_total',
    'Locks freed by time: their TTL, or their session’s',
    ['reason'],
  );
  private readonly held = this.gauge('latchkey_locks_held', 'Locks held now');
  private readonly waiters = this.gauge('latchkey_lock_waiters', 'Preempts waiting in lock queues now');
  private readonly sessions = this.gauge('latchkey_sessions', 'Open sessions');
  private readonly holdTime = this.histogram(
    'latchkey_lock_hold_seconds',
    'How long a lock was held, grant to release or expiry (leader clock)',
    LOCK_BUCKETS,
  );
  private readonly waitTime = this.histogram(
    'latchkey_lock_wait_seconds',
    'How long a granted waiter waited in the queue (leader clock)',
    LOCK_BUCKETS,
  );
  private readonly peerRefusals = this.counter(
    'latchkey_peer_messages_refused_total',
    'Peer messages and join requests refused before the node acted on them, by reason (bad-mac, replayed, other-cluster, ...)',
    ['reason'],
  );
  readonly requests = new Histogram({
    name: 'latchkey_request_duration_seconds',
    help: 'Client requests served by this node, by transport, operation and outcome',
    labelNames: ['transport', 'operation', 'outcome'],
    buckets: REQUEST_BUCKETS,
    registers: [this.registry],
  });

  constructor(nodeId: string) {
    this.registry.setDefaultLabels({ node: nodeId });
    collectDefaultMetrics({ register: this.registry, prefix: 'latchkey_process_' });
  }

  /** Refreshes the gauges that mirror the Raft state (called before each scrape and on change). */
  observeStatus(status: RaftStatus): void {
    for (const role of ['leader', 'follower', 'candidate'])
      this.role.set({ role }, status.role === role ? 1 : 0);
    this.term.set(status.term);
    this.commitIndex.set(status.commitIndex);
    this.appliedIndex.set(status.appliedIndex);
    this.lastIndex.set(status.lastIndex);
    this.members.set(status.members.length);
    this.followerLag.reset();
    if (status.role !== 'leader') return;
    for (const member of status.members) {
      if (member.id === status.id) continue;
      const matchIndex = status.progress[member.id]?.matchIndex ?? 0;
      this.followerLag.set({ member: member.id }, status.lastIndex - matchIndex);
    }
  }

  leaderChanged(): void {
    this.leaderChanges.inc();
  }

  observeActivity(delta: ActivityDelta, totals: { held: number; waiters: number; sessions: number }): void {
    this.commands.inc({ command: delta.command });
    if (delta.grants) this.grants.inc(delta.grants);
    if (delta.releases) this.releases.inc(delta.releases);
    if (delta.expiries.lockTtl) this.expiries.inc({ reason: 'lockTtl' }, delta.expiries.lockTtl);
    if (delta.expiries.session) this.expiries.inc({ reason: 'session' }, delta.expiries.session);
    for (const ms of delta.holdMs) this.holdTime.observe(ms / 1000);
    for (const ms of delta.waitMs) this.waitTime.observe(ms / 1000);
    this.held.set(totals.held);
    this.waiters.set(totals.waiters);
    this.sessions.set(totals.sessions);
  }

  observePeerRefusal(reason: string): void {
    this.peerRefusals.inc({ reason });
  }

  observePersist(durationMs: number, entries: number, synced: boolean): void {
    this.walAppend.observe(durationMs / 1000);
    if (synced) this.walFsync.observe(durationMs / 1000);
    if (entries) this.walEntries.inc(entries);
  }

  observeRequest(
    transport: 'http' | 'tcp',
    operation: string,
    outcome: RequestOutcome,
    seconds: number,
  ): void {
    this.requests.observe({ transport, operation, outcome }, seconds);
  }

  private gauge<L extends string>(name: string, help: string, labelNames: L[] = []): Gauge<L> {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }

  private counter<L extends string>(name: string, help: string, labelNames: L[] = []): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  private histogram(name: string, help: string, buckets: number[]): Histogram {
    return new Histogram({ name, help, buckets, registers: [this.registry] });
  }
}
