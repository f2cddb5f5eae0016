import { Injectable, type OnModuleInit } from '@nestjs/common';
import {
  AppliedEntriesPublisher,
  LockProposedEvent,
  type AppliedEntryEvent,
  type AppliedEntryListener,
} from '@app/replica';
import { NodeMetrics } from '../metrics/node-metrics';
import { LockActivity } from './lock-activity';
import { DashboardChanges } from './dashboard-changes';

/**
 * Feeds applied lock entries to the dashboard's activity model and to the metrics. Like the
 * read model, it is called in the apply step itself (AppliedEntriesPublisher), so what the
 * dashboard shows is exactly what this node has applied.
 */
@Injectable()
export class LockActivityProjection implements AppliedEntryListener, OnModuleInit {
  constructor(
    private readonly appliedEntries: AppliedEntriesPublisher,
    private readonly activity: LockActivity,
    private readonly metrics: NodeMetrics,
    private readonly changes: DashboardChanges,
  ) {}

  /** Before any entry is applied: the node replays its log only after init. */
  onModuleInit(): void {
    this.appliedEntries.subscribe(this);
  }

  onApplied(event: AppliedEntryEvent): void {
    if (event instanceof LockProposedEvent) this.handle(event);
  }

  handle(event: LockProposedEvent): void {
    const delta = this.activity.record(event);
    this.metrics.observeActivity(delta, {
      held: this.activity.heldCount,
      waiters: this.activity.waiterCount,
      sessions: this.activity.sessionCount,
    });
    this.changes.changed();
  }
}
