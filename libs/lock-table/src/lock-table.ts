import { assert, type LogIndex } from '@app/replicated-log';
import type { LockCommand } from './lock-command';
import type { LockOutcome } from './lock-outcome';
import type { LockState } from './lock-state';

/**
 * The replicated state machine: lock name -> holder. It is deterministic and only ever
 * sees committed entries, so every node that applies the same log ends with the same map.
 */
export class LockTable {
  private readonly locks = new Map<string, LockState>();
  private lastAppliedIndex: LogIndex = 0;

  get appliedIndex(): LogIndex {
    return this.lastAppliedIndex;
  }

  get size(): number {
    return this.locks.size;
  }

  /** Applies the command of the entry at `index`; indexes must strictly increase. */
  apply(index: LogIndex, command: LockCommand): LockOutcome {
    this.advanceTo(index);
    switch (command.type) {
      case 'preempt':
        return this.preempt(index, command.name, command.clientId);
      case 'release':
        return this.release(command.name, command.clientId);
    }
  }

  /** Records that a non-command entry (noop, membership) was applied. */
  skip(index: LogIndex): void {
    this.advanceTo(index);
  }

  ownerOf(name: string): LockState | null {
    return this.locks.get(name) ?? null;
  }

  /** Held locks whose name starts with `prefix`, sorted by name, at most `limit`. */
  list(prefix: string, limit: number): LockState[] {
    const matching = [...this.locks.values()].filter((lock) => lock.name.startsWith(prefix));
    matching.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return matching.slice(0, limit);
  }

  private advanceTo(index: LogIndex): void {
    assert(index > this.lastAppliedIndex, `apply out of order: ${index} after ${this.lastAppliedIndex}`);
    this.lastAppliedIndex = index;
  }

  private preempt(index: LogIndex, name: string, clientId: string): LockOutcome {
    const held = this.locks.get(name);
    if (held && held.owner !== clientId) {
      return { type: 'lockHeld', name, owner: held.owner, fencingToken: held.fencingToken };
    }
    // Preempting a lock one already holds is an idempotent retry: same token.
    const granted = held ?? { name, owner: clientId, fencingToken: index };
    this.locks.set(name, granted);
    return { type: 'granted', name, owner: clientId, fencingToken: granted.fencingToken };
  }

  private release(name: string, clientId: string): LockOutcome {
    const held = this.locks.get(name);
    if (!held) return { type: 'notHeld', name };
    if (held.owner !== clientId) return { type: 'notOwner', name, owner: held.owner };
    this.locks.delete(name);
    return { type: 'released', name, previousOwner: clientId, fencingToken: held.fencingToken };
  }
}
