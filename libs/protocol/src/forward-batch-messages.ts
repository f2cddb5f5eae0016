import { MessagePatterns } from './message-patterns';
import type { RpcErrorBody } from './rpc-error';

/**
 * The writes a follower may pass to the leader together: everything it forwards that the
 * leader answers within the normal request timeout (a waiting preempt is sent on its own).
 */
export const FORWARDABLE_IN_BATCH = [
  MessagePatterns.preempt,
  MessagePatterns.release,
  MessagePatterns.openSession,
  MessagePatterns.keepAlive,
  MessagePatterns.closeSession,
] as const;

export type ForwardableInBatch = (typeof FORWARDABLE_IN_BATCH)[number];

/** At most this many requests in one batch: a bound on the leader's work per message. */
export const MAX_FORWARD_BATCH_SIZE = 256;

export interface ForwardedRequest {
  pattern: ForwardableInBatch;
  payload: object;
}

/** `MessagePatterns.forwardBatch`: one follower's forwarded writes of one event-loop turn. */
export interface ForwardBatchRequest {
  forwardedBy: string;
  requests: ForwardedRequest[];
}

/** One answer per request, in order: what the single request would have answered or thrown. */
export type ForwardBatchItemResult = { ok: unknown } | { error: RpcErrorBody };

export function isForwardableInBatch(pattern: string): pattern is ForwardableInBatch {
  return (FORWARDABLE_IN_BATCH as readonly string[]).includes(pattern);
}
