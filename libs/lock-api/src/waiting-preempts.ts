import { Injectable } from '@nestjs/common';

export type WaitResult =
  | { type: 'granted'; index: number; owner: string; fencingToken: number }
  | { type: 'left'; index: number; reason: 'timedOut' | 'sessionEnded' }
  | { type: 'stillWaiting' };

/** How many settled waiters to remember for a caller that registers late, or retries. */
const SETTLED_MEMORY = 10_000;

/**
 * Preempts queued behind a held lock, by waiter id (the index of the entry that queued
 * them). They are answered from applied events: granted when a release hands the lock
 * on, or refused when the leader's deadline or the waiter's session ends.
 */
@Injectable()
export class WaitingPreempts {
  /** several requests may wait on one waiter: a client's retried wait joins its place */
  private readonly waiting = new Map<number, Array<(result: WaitResult) => void>>();
  private readonly settled = new Map<number, WaitResult>();

  wait(waiterId: number, timeoutMs: number): Promise<WaitResult> {
    // Kept after it is read: a retried request whose answer was lost must learn it too.
    const known = this.settled.get(waiterId);
    if (known) return Promise.resolve(known);
    return new Promise((resolve) => {
      const resolvers = this.waiting.get(waiterId) ?? [];
      const answer = (result: WaitResult) => {
        clearTimeout(timer);
        resolve(result);
      };
      const timer = setTimeout(() => {
        const left = (this.waiting.get(waiterId) ?? []).filter((r) => r !== answer);
        if (left.length > 0) this.waiting.set(waiterId, left);
        else this.waiting.delete(waiterId);
        resolve({ type: 'stillWaiting' });
      }, timeoutMs);
      resolvers.push(answer);
      this.waiting.set(waiterId, resolvers);
    });
  }

  settle(waiterId: number, result: WaitResult): void {
    const resolvers = this.waiting.get(waiterId) ?? [];
    this.waiting.delete(waiterId);
    for (const resolve of resolvers) resolve(result);
    this.settled.set(waiterId, result);
    if (this.settled.size > SETTLED_MEMORY) this.settled.delete(this.settled.keys().next().value!);
  }
}
