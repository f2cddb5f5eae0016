import type { LogEntry } from '../log-entry';

/** Receives committed entries in index order, each exactly once per process lifetime. */
export interface EntryApplier<C> {
  apply(entries: LogEntry<C>[]): void;
}
