import type { MemberView } from '../observability/member-view';
import type { FeedItem, HeldLockView, LockStats } from './lock-activity';

/** Waiters listed per lock in one view; the rest are counted. */
export const WAITERS_SHOWN = 10;

/** Everything one push of the dashboard carries: one page of locks, never all of them. */
export interface DashboardView {
  serverNowMs: number;
  node: {
    id: string;
    role: string;
    term: number;
    leaderId: string | null;
    commitIndex: number;
    appliedIndex: number;
    /** 'none' without a cluster secret: the page then warns that peer traffic is unauthenticated */
    peerAuthentication: 'hmac-sha256' | 'none';
  };
  members: MemberView[];
  counts: { held: number; waiters: number; sessions: number };
  locks: {
    total: number;
    offset: number;
    items: Array<HeldLockView & { waiterCount: number }>;
  };
  feed: FeedItem[];
  busiest: LockStats[];
}

/** What a viewer asked to see. */
export interface DashboardQuery {
  page: number;
  size: number;
  filter: string;
}
