import { Injectable } from '@nestjs/common';
import type { LockSummary } from '@app/protocol';

interface IndexWaiter {
  index: number;
  resolve: (reached: boolean) => void;
}

/**
 * The map checks are answered from: lock name -> holder, as of `appliedIndex`.
 * Fed only by LockProposedEvent, so it never shows an uncommitted change.
 */
@Injectable()
export class LockOwnersReadModel {
  private readonly locks = new Map<string, LockSummary>();
  private waiters: IndexWaiter[] = [];
  private lastIndex = 0;

  get appliedIndex(): number {
    return this.lastIndex;
  }

  grant(index: number, lock: LockSummary): void {
    this.locks.set(lock.name, lock);
    this.advanceTo(index);
  }

  release(index: number, name: string): void {
    this.locks.delete(name);
    this.advanceTo(index);
  }

  /** An applied entry that changed no lock (a refused request). */
  unchanged(index: number): void {
    this.advanceTo(index);
  }

  get(name: string): LockSummary | null {
    return this.locks.get(name) ?? null;
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
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      waiter.resolve = (reached) => {
        clearTimeout(timer);
        resolve(reached);
      };
      this.waiters.push(waiter);
    });
  }

  private advanceTo(index: number): void {
    this.lastIndex = Math.max(this.lastIndex, index);
    if (this.waiters.length === 0) return;
    const due = this.waiters.filter((w) => w.index <= this.lastIndex);
    this.waiters = this.waiters.filter((w) => w.index > this.lastIndex);
    for (const waiter of due) waiter.resolve(true);
  }
}
