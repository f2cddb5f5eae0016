import type { AppliedEntry, LockCommand, LockStateMachine } from '@app/lock-table';
import type { DurableStorage, LogEntry, PersistRequest } from '@app/replicated-log';

/**
 * The negative control 'apply-before-commit' (test only, see unsafe-test-switches.ts): a
 * node applies entries to its lock table, and serves them, as soon as they are on its disk
 * rather than once they are committed (Raft paper 5.3: only committed entries may be
 * applied). An entry later truncated by a new leader stays applied, so the node's state
 * diverges from the committed log. Proposers are still answered only at commit.
 */
export class ApplyBeforeCommit {
  /** what applying an entry early came to, kept until that index commits */
  private readonly early = new Map<number, AppliedEntry>();

  constructor(
    private readonly machine: LockStateMachine,
    private readonly serve: (applied: AppliedEntry) => void,
  ) {}

  /** The WAL, applying what it has written. */
  wrap(inner: DurableStorage<LockCommand>): DurableStorage<LockCommand> {
    return {
      persist: async (request: PersistRequest<LockCommand>): Promise<void> => {
        await inner.persist(request);
        this.appended(request.entries);
      },
    };
  }

  /** Committed entries: one applied early only has its proposer answered; the rest apply as usual. */
  committed(
    entries: readonly LogEntry<LockCommand>[],
    settle: (applied: AppliedEntry) => void,
    applyRest: (entries: LogEntry<LockCommand>[]) => void,
  ): void {
    const rest: LogEntry<LockCommand>[] = [];
    for (const entry of entries) {
      if (entry.index > this.machine.appliedIndex) {
        rest.push(entry);
        continue;
      }
      const early = this.early.get(entry.index);
      this.early.delete(entry.index);
      if (early !== undefined) settle({ ...early, entry });
    }
    applyRest(rest);
  }

  private appended(entries: readonly LogEntry<LockCommand>[]): void {
    const fresh = entries.filter((entry) => entry.index > this.machine.appliedIndex);
    this.machine.apply(fresh, (applied) => {
      this.early.set(applied.entry.index, applied);
      this.serve(applied);
    });
  }
}
