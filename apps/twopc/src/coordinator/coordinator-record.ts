import type { Decision, RecordedVote, RegisterValue } from '../common/twopc-messages';

/** The shared decision log: every coordinator appends, each record under its fencing token. */
export type CoordinatorRecord =
  /** written before any prepare is sent, so a successor knows the transaction existed */
  | {
      t: 'begin';
      txId: string;
      token: number;
      coordinatorId: string;
      value: string;
      version: number;
      expectedVersion: number | null;
      base: RegisterValue;
      at: number;
    }
  /** written (fsync) before any replica hears the decision */
  | {
      t: 'decision';
      txId: string;
      token: number;
      decision: Decision;
      reason: string | null;
      votes: Record<string, RecordedVote>;
      voteReasons: Record<string, string>;
      at: number;
    }
  /** every replica acknowledged the decision: nothing left to redeliver */
  | { t: 'done'; txId: string; token: number; at: number };

export function isCoordinatorRecord(value: unknown): value is CoordinatorRecord {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as { t?: unknown; txId?: unknown; token?: unknown };
  const known = record.t === 'begin' || record.t === 'decision' || record.t === 'done';
  return known && typeof record.txId === 'string' && typeof record.token === 'number';
}
