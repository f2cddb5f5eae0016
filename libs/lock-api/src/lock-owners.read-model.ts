import { Injectable } from '@nestjs/common';
import type { LockSummary } from '@app/protocol';

interface IndexWaiter {
  index: number;
  resolve: (reached: boolean) => void;
}

/**
 * The map checks are answered from: lock name -> holder and queue length, as of
 * `appliedIndex`. Fed only by applied entries (LockOwnersProjection), so it never shows an
 * uncommitted change.
 */
@Injectable()
export class LockOwnersReadModel {
  private readonly locks = new Map<string, LockSummary>();
  private readonly waiters = new Map<string, number>();
  private indexWaiters: IndexWaiter[] = [];
  private lastIndex = 0;

  get appliedIndex(): number {
    return this.lastIndex;
  }

  grant(lock: LockSummary): void {
    this.locks.set(lock.name, lock);
  }

  free(name: string): void {
    this.locks.delete(name);
  }

  changeWaiters(name: string, delta: number): void {
    const count = (this.waiters.get(name) ?? 0) + delta;
    if (count > 0) this.waiters.set(name, count);
    else this.waiters.delete(name);
  }

  /** Starts over from a snapshot's locks and queue lengths, as of `index`. */
  reset(locks: readonly LockSummary[], waiting: ReadonlyMap<string, number>, index: number): void {
    this.locks.clear();
    this.waiters.clear();
    for (const lock of locks) this.locks.set(lock.name, { ...lock });
    for (const [name, count] of waiting) if (count > 0) this.waiters.set(name, count);
    this.advanceTo(index);
  }

  /** Marks everything up to `index` as reflected here, answering those waiting for it. */
  advanceTo(index: number): void {
    this.lastIndex = Math.max(this.lastIndex, index);
    if (this.indexWaiters.length === 0) return;
    const due = this.indexWaiters.filter((w) => w.index <= this.lastIndex);
    this.indexWaiters = this.indexWaiters.filter((w) => w.index > this.lastIndex);
    for (const waiter of due) waiter.resolve(true);
  }

  get(name: string): LockSummary | null {
    return this.locks.get(name) ?? null;
  }

  waiting(name: string): number {
    return this.waiters.get(name) ?? 0;
  }

  list(prefix: string, limit: number): LockSummary[] {
    const names = [...this.locks.keys()].filter((name) => name.startsWith(prefix)).sort();
    return names.slice(0, limit).map((name) => this.locks.get(name)!);
  }

  /** Resolves true once `index` is reflected here, false after `timeoutMs`. */
  waitForIndex(index: number, timeoutMs: number): Promise<boolean> {
    if (index <= this.lastIndex) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter: IndexWaiter = { index, resolve };
      const timer = setTimeout(() => {
        this.indexWaiters = this.indexWaiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      waiter.resolve = (reached) => {
        clearTimeout(timer);
        resolve(reached);
      };
      this.indexWaiters.push(waiter);
    });
  }
}
