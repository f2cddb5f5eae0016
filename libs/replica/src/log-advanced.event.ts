import type { LogIndex } from '@app/replicated-log';

/**
 * Reported (AppliedEntriesPublisher) for applied entries that are not lock commands (a leader's noop, a
 * membership change), so that read models know how far the log they reflect goes.
 */
export class LogAdvancedEvent {
  constructor(readonly index: LogIndex) {}
}
