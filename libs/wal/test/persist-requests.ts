import type { LogEntry, PersistRequest } from '@app/replicated-log';

/** The command type of the WAL specs: the WAL only stores it. */
export type Cmd = { op: string };

export const entry = (index: number, term: number): LogEntry<Cmd> => ({
  index,
  term,
  leaderTimeMs: 1_700_000_000_000 + index,
  body: { type: 'command', command: { op: `op-${index}-${term}` } },
});

/** Entries first..last, all of `term`. */
export const range = (first: number, last: number, term: number): LogEntry<Cmd>[] =>
  Array.from({ length: last - first + 1 }, (_, i) => entry(first + i, term));

/** A persist request that must sync, with what `partial` sets. */
export const request = (partial: Partial<PersistRequest<Cmd>>): PersistRequest<Cmd> => ({
  hardState: null,
  entries: [],
  mustSync: true,
  ...partial,
});
