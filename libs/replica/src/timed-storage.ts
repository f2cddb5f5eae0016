import type { DurableStorage, PersistRequest } from '@app/replicated-log';

/** Told how long each WAL write took, how many entries it held and whether it was fsync'd. */
export type PersistObserver = (durationMs: number, entries: number, synced: boolean) => void;

/** Wraps the WAL to time each persist for the metrics; it changes nothing it passes on. */
export function timedStorage<C>(inner: DurableStorage<C>, observe: PersistObserver): DurableStorage<C> {
  return {
    async persist(request: PersistRequest<C>, onWritten?: () => void): Promise<void> {
      const startMs = performance.now();
      await inner.persist(request, onWritten);
      observe(performance.now() - startMs, request.entries.length, request.mustSync);
    },
  };
}
