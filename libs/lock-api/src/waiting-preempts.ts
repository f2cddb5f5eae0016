import { Injectable } from '@nestjs/common';

export type WaitResult =
  | { type: 'granted'; index: number; owner: string; fencingToken: number }
  | { type: 'left'; index: number; reason: 'timedOut' | 'sessionEnded' }
  | { type: 'stillWaiting' };

/** How many settled waiters to remember for a caller that registers late. */
const SETTLED_MEMORY = 10_000;

/**
 * Preempts queued behind a held lock, by waiter id (the index of the entry that queued
 * them). They are answered from applied events: granted when a release hands the lock
 * on, or refused when the leader's deadline or the waiter's session ends.
 */
@Injectable()
export class WaitingPreempts {
  private readonly waiting = new Map<number, (result: WaitResult) => void>();
  private readonly settled = new Map<number, WaitResult>();

  wait(waiterId: number, timeoutMs: number): Promise<WaitResult> {
    const known = this.settled.get(waiterId);
    if (known) {
      this.settled.delete(waiterId);
      return Promise.resolve(known);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.finish(waiterId, { type: 'stillWaiting' }), timeoutMs);
      this.waiting.set(waiterId, (result) => {
        clearTimeout(timer);
        resolve(result);
      });
    });
  }

  settle(waiterId: number, result: WaitResult): void {
    if (this.finish(waiterId, result)) return;
    this.settled.set(waiterId, result);
    if (this.settled.size > SETTLED_MEMORY) this.settled.delete(this.settled.keys().next().value!);
  }

  private finish(waiterId: number, result: WaitResult): boolean {
    const resolve = this.waiting.get(waiterId);
    if (!resolve) return false;
    this.waiting.delete(waiterId);
    resolve(result);
    return true;
  }
}
