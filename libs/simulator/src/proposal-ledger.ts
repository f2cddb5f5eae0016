import type { LockCommand } from '@app/lock-table';
import type { LogEntry, LogIndex, NodeId, Term } from '@app/replicated-log';
import { check } from './simulation-failure';

interface Pending {
  term: Term;
  command: LockCommand;
}

export interface Acknowledged {
  index: LogIndex;
  term: Term;
  key: string;
  nodeId: NodeId;
}

/**
 * Invariant (6), no acknowledged proposal lost. A proposal is acknowledged when the node
 * that accepted it applies an entry of the same term at the same index: that is the moment
 * a real server answers its client. Every such entry must end up applied everywhere.
 */
export class ProposalLedger {
  /** `${node}#${incarnation}@${index}` -> what was proposed there */
  private readonly pending = new Map<string, Pending>();
  readonly acknowledged: Acknowledged[] = [];
  proposed = 0;

  propose(nodeId: NodeId, incarnation: number, index: LogIndex, term: Term, command: LockCommand): void {
    this.proposed++;
    this.pending.set(`${nodeId}#${incarnation}@${index}`, { term, command });
  }

  onApply(nodeId: NodeId, incarnation: number, entry: LogEntry<LockCommand>, key: string): void {
    const id = `${nodeId}#${incarnation}@${entry.index}`;
    const pending = this.pending.get(id);
    if (pending === undefined) return;
    this.pending.delete(id);
    // Another term at that index: the proposal was overwritten before commit, the client saw no success.
    if (pending.term !== entry.term) return;
    const same =
      entry.body.type === 'command' && JSON.stringify(entry.body.command) === JSON.stringify(pending.command);
    check(
      same,
      `${nodeId} applied ${key} at ${entry.index} where it had proposed ${JSON.stringify(pending.command)} in the same term (log matching broken)`,
    );
    this.acknowledged.push({ index: entry.index, term: entry.term, key, nodeId });
  }

  /** `appliedKeys[i - 1]` is the key of the entry a node applied at index i. */
  checkAllApplied(nodeId: NodeId, appliedKeys: readonly string[]): void {
    for (const ack of this.acknowledged) {
      const applied = appliedKeys[ack.index - 1];
      check(
        applied === ack.key,
        `acknowledged proposal ${ack.key} at ${ack.index} (answered by ${ack.nodeId}) is ${applied === undefined ? 'not applied' : `replaced by ${applied}`} on ${nodeId}`,
      );
    }
  }
}
