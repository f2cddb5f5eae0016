import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { catchError, firstValueFrom, of, timeout } from 'rxjs';
import { MessagePatterns, type ClusterStatus } from '@app/protocol';
import type { RaftStatus } from '@app/replicated-log';
import { NODE_OPTIONS, ReplicaService, TcpClientPool, type NodeOptions } from '@app/replica';
import { DashboardChanges } from '../dashboard/dashboard-changes';
import { NodeMetrics } from '../metrics/node-metrics';
import { LogContext } from './log-context';
import type { MemberView } from './member-view';

/** In-process look at the Raft state: cheap, and it lets leader changes be seen and logged. */
const POLL_MS = 100;
const PEER_POLL_MS = 1000;
const PEER_TIMEOUT_MS = 800;

/**
 * Watches this node's Raft status: logs leader changes, keeps the status gauges and
 * the log context current, and, while a dashboard is open, asks the other members for
 * their own status so every member's term, commit and applied index can be shown.
 */
@Injectable()
export class ClusterWatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Cluster');
  private readonly peers = new TcpClientPool();
  private readonly peerViews = new Map<string, ClusterStatus | null>();
  private timer: NodeJS.Timeout | null = null;
  private peerTimer: NodeJS.Timeout | null = null;
  private lastLeaderId: string | null | undefined = undefined;
  private lastFingerprint = '';
  private viewers = 0;

  constructor(
    private readonly replica: ReplicaService,
    private readonly metrics: NodeMetrics,
    private readonly logContext: LogContext,
    private readonly changes: DashboardChanges,
    @Inject(NODE_OPTIONS) private readonly options: NodeOptions,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.poll(), POLL_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.peerTimer) clearInterval(this.peerTimer);
    await this.peers.close();
  }

  /** A dashboard viewer arrived; returns the function to call when it leaves. */
  addViewer(): () => void {
    if (this.viewers++ === 0) {
      void this.pollPeers();
      this.peerTimer = setInterval(() => void this.pollPeers(), PEER_POLL_MS);
    }
    return () => {
      if (--this.viewers === 0 && this.peerTimer) {
        clearInterval(this.peerTimer);
        this.peerTimer = null;
      }
    };
  }

  status(): RaftStatus {
    return this.replica.status();
  }

  members(): MemberView[] {
    const status = this.replica.status();
    const leaderView =
      status.role === 'leader' ? null : status.leaderId ? this.peerViews.get(status.leaderId) : null;
    return status.members.map((member) => {
      const self = member.id === status.id;
      const view = self ? null : this.peerViews.get(member.id);
      const lag = leaderLag(status, leaderView ?? null, member.id);
      return {
        ...member,
        role: self ? status.role : (view?.role ?? (member.id === status.leaderId ? 'leader' : 'unknown')),
        term: self ? status.term : (view?.term ?? null),
        commitIndex: self ? status.commitIndex : (view?.commitIndex ?? null),
        appliedIndex: self ? status.appliedIndex : (view?.appliedIndex ?? null),
        lag,
        reachable: self || (view !== null && view !== undefined),
      };
    });
  }

  private poll(): void {
    const status = this.replica.status();
    this.logContext.term = status.term;
    this.metrics.observeStatus(status);
    if (status.leaderId !== this.lastLeaderId) {
      const lost = this.lastLeaderId !== undefined && this.lastLeaderId !== null;
      if (this.lastLeaderId !== undefined) this.metrics.leaderChanged();
      this.lastLeaderId = status.leaderId;
      if (status.leaderId) this.logger.log(`leader is ${status.leaderId} (term ${status.term})`);
      // Knowing no leader yet at start-up is normal; losing one is worth a warning.
      else if (lost) this.logger.warn(`lost the leader; no leader known (term ${status.term})`);
    }
    const fingerprint = JSON.stringify([
      status.role,
      status.term,
      status.leaderId,
      status.commitIndex,
      status.appliedIndex,
      status.members.map((m) => m.id),
      status.progress,
    ]);
    if (fingerprint !== this.lastFingerprint) {
      this.lastFingerprint = fingerprint;
      this.changes.changed();
    }
  }

  private async pollPeers(): Promise<void> {
    const others = this.replica.members.filter((m) => m.id !== this.options.id);
    const views = await Promise.all(
      others.map((member) =>
        firstValueFrom(
          this.peers
            .get(member.tcpAddress)
            .send<ClusterStatus>(MessagePatterns.clusterStatus, {})
            .pipe(
              timeout(PEER_TIMEOUT_MS),
              catchError(() => of(null)),
            ),
        ),
      ),
    );
    const before = JSON.stringify([...this.peerViews]);
    this.peerViews.clear();
    others.forEach((member, i) => this.peerViews.set(member.id, views[i] ?? null));
    if (JSON.stringify([...this.peerViews]) !== before) this.changes.changed();
  }
}

/** How far a member is behind the leader's last index, from the leader's own progress table. */
function leaderLag(status: RaftStatus, leaderView: ClusterStatus | null, memberId: string): number | null {
  if (status.role === 'leader') {
    if (memberId === status.id) return 0;
    return status.lastIndex - (status.progress[memberId]?.matchIndex ?? 0);
  }
  return leaderView?.members.find((m) => m.id === memberId)?.lag ?? null;
}
