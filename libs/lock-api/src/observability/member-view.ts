import type { NodeRole } from '@app/protocol';

/** One member as the dashboard shows it, from its own answer when it gave one. */
export interface MemberView {
  id: string;
  httpAddress: string;
  tcpAddress: string;
  role: NodeRole | 'unknown';
  term: number | null;
  commitIndex: number | null;
  appliedIndex: number | null;
  /** entries behind the leader's last index, known from the leader */
  lag: number | null;
  reachable: boolean;
}
