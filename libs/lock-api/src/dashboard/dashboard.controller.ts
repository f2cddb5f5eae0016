import { Controller, Get, Header, Query, Sse, type MessageEvent, UseInterceptors } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Observable, asyncScheduler, interval, map, merge, of, throttleTime } from 'rxjs';
import { ClusterWatcher } from '../observability/cluster-watcher.service';
import { DashboardChanges } from './dashboard-changes';
import { parseDashboardQuery } from './dashboard-query';
import { DASHBOARD_HTML } from './dashboard-page';
import { DASHBOARD_JS } from './dashboard-script';
import { DASHBOARD_CSS } from './dashboard-style';
import { WAITERS_SHOWN, type DashboardQuery, type DashboardView } from './dashboard-view';
import { LockActivity } from './lock-activity';
import { RequestMetricsInterceptor } from '../metrics/request-metrics.interceptor';
import { PeerGate } from '@app/replica';

/** At most this many pushes per second per viewer, however busy the node. */
const PUSH_EVERY_MS = 250;
/** A push even when nothing changed, so a silent proxy does not close the stream. */
const KEEPALIVE_MS = 15_000;
const FEED_SHOWN = 40;
const BUSIEST_SHOWN = 10;

/** The live dashboard every node serves at `/`. */
@ApiTags('operations')
@UseInterceptors(RequestMetricsInterceptor)
@Controller()
export class DashboardController {
  constructor(
    private readonly activity: LockActivity,
    private readonly watcher: ClusterWatcher,
    private readonly changes: DashboardChanges,
    private readonly gate: PeerGate,
  ) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @ApiOperation({ summary: 'The live dashboard: members, held locks with waiters, recent changes' })
  @ApiProduces('text/html')
  page(): string {
    return DASHBOARD_HTML;
  }

  @Get('dashboard/dashboard.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @ApiExcludeEndpoint()
  script(): string {
    return DASHBOARD_JS;
  }

  @Get('dashboard/dashboard.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  @ApiExcludeEndpoint()
  style(): string {
    return DASHBOARD_CSS;
  }

  @Sse('dashboard/events')
  @ApiOperation({
    summary: 'The dashboard stream: a view (one page of held locks) pushed when something changes',
  })
  @ApiOkResponse({ description: 'Server-Sent Events, each a JSON DashboardView' })
  events(@Query() raw: Record<string, unknown>): Observable<MessageEvent> {
    const query = parseDashboardQuery(raw);
    return new Observable<MessageEvent>((subscriber) => {
      const leave = this.watcher.addViewer();
      const subscription = merge(of(null), this.changes.changes, interval(KEEPALIVE_MS))
        .pipe(
          throttleTime(PUSH_EVERY_MS, asyncScheduler, { leading: true, trailing: true }),
          map(() => ({ data: this.view(query) })),
        )
        .subscribe(subscriber);
      return () => {
        subscription.unsubscribe();
        leave();
      };
    });
  }

  private view(query: DashboardQuery): DashboardView {
    const status = this.watcher.status();
    const offset = query.page * query.size;
    const page = this.activity.page(offset, query.size, query.filter);
    return {
      serverNowMs: Date.now(),
      node: {
        id: status.id,
        role: status.role,
        term: status.term,
        leaderId: status.leaderId,
        commitIndex: status.commitIndex,
        appliedIndex: status.appliedIndex,
        peerAuthentication: this.gate.authenticated ? 'hmac-sha256' : 'none',
      },
      members: this.watcher.members(),
      counts: {
        held: this.activity.heldCount,
        waiters: this.activity.waiterCount,
        sessions: this.activity.sessionCount,
      },
      locks: {
        total: page.total,
        offset,
        items: page.locks.map((lock) => ({
          ...lock,
          waiters: lock.waiters.slice(0, WAITERS_SHOWN),
          waiterCount: lock.waiters.length,
        })),
      },
      feed: this.activity.recent(FEED_SHOWN),
      busiest: this.activity.busiest(BUSIEST_SHOWN),
    };
  }
}
