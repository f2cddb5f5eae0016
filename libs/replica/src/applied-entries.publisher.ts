import { Injectable, Logger } from '@nestjs/common';
import type { LockProposedEvent } from './lock-proposed.event';
import type { LogAdvancedEvent } from './log-advanced.event';
import type { SnapshotRestoredEvent } from './snapshot-restored.event';

/** What the node reports for each applied entry, in index order (or a snapshot that replaced them). */
export type AppliedEntryEvent = LockProposedEvent | LogAdvancedEvent | SnapshotRestoredEvent;

/** A read model (or anything answered from applied state) that must reflect each entry. */
export interface AppliedEntryListener {
  onApplied(event: AppliedEntryEvent): void;
}

/** A listener failed to apply an entry: this node's answers would drift from its log. */
export class ReadModelApplyError extends Error {
  override name = 'ReadModelApplyError';

  constructor(
    readonly index: number,
    readonly listener: string,
    override readonly cause: unknown,
  ) {
    super(
      `${listener} failed to apply log entry ${index}: ${cause instanceof Error ? cause.message : String(cause)}; ` +
        'stopping this node, because its reads would no longer match the replicated log',
    );
  }
}

/**
 * Hands every applied entry to the read models synchronously, before the node settles the
 * client waiting on that entry: a client always reads its own write on the node that
 * answered it, by construction rather than by a publisher that happens to be synchronous.
 * A listener that throws is never swallowed: the error leaves the apply step, which stops
 * the node (ARCHITECTURE.md, "The consistency contract").
 */
@Injectable()
export class AppliedEntriesPublisher {
  private readonly logger = new Logger(AppliedEntriesPublisher.name);
  private readonly listeners: AppliedEntryListener[] = [];

  /** Called during module init, before the node replays or applies anything. */
  subscribe(listener: AppliedEntryListener): void {
    this.listeners.push(listener);
  }

  publish(event: AppliedEntryEvent): void {
    for (const listener of this.listeners) {
      try {
        listener.onApplied(event);
      } catch (error) {
        // Not handled here: named, logged once, and rethrown to stop the node.
        const failure = new ReadModelApplyError(event.index, listener.constructor.name, error);
        this.logger.error(failure.message);
        throw failure;
      }
    }
  }
}
