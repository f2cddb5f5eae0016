import type { RecordedVote } from '../common/twopc-messages';

/** What a write to the register came to, before it is mapped to HTTP. */
export type WriteOutcome =
  | { kind: 'committed'; txId: string; version: number }
  | { kind: 'aborted'; txId: string; reason: string; votes: Record<string, RecordedVote> }
  | { kind: 'unavailable'; reason: string; txId?: string };
