import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { LockProposedEvent } from '@app/replica';
import { NodeMetrics } from '../metrics/node-metrics';
import { LockActivity } from './lock-activity';
import { DashboardChanges } from './dashboard-changes';

/** Feeds applied lock entries to the dashboard's activity model and to the metrics. */
@EventsHandler(LockProposedEvent)
export class LockActivityProjection implements IEventHandler<LockProposedEvent> {
  constructor(
    private readonly activity: LockActivity,
    private readonly metrics: NodeMetrics,
    private readonly changes: DashboardChanges,
  ) {}

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
