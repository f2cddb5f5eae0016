import { SeededRandom, type HardState, type LogEntry } from '@app/replicated-log';
import { SimulatedDisk } from './simulated-disk';

const entry = (index: number, term: number): LogEntry<string> => ({
  index,
  term,
  leaderTimeMs: 0,
  body: { type: 'noop' },
});
const hard = (term: number, commitIndex: number): HardState => ({ term, votedFor: null, commitIndex });

/** A random whose draws always keep nothing: the worst case for unsynced writes. */
const keepNothing = { next: () => 0, intBetween: (min: number) => min };

describe('SimulatedDisk', () => {
  it('recovers what was written, with a batch starting at i replacing the log from i on (the WAL rule)', async () => {
    const disk = new SimulatedDisk<string>('n1', keepNothing, true);
    await disk.persist({
      hardState: hard(1, 0),
      entries: [entry(1, 1), entry(2, 1), entry(3, 1)],
      mustSync: true,
    });
    await disk.persist({ hardState: hard(2, 1), entries: [entry(2, 2)], mustSync: true });
    const recovered = disk.recover();
    expect(recovered.entries.map((e) => `${e.index}/${e.term}`)).toEqual(['1/1', '2/2']);
    expect(recovered.hardState).toEqual(hard(2, 1));
  });

  it('a crash may lose the writes made with mustSync false since the last sync, never a synced one', async () => {
    const disk = new SimulatedDisk<string>('n1', keepNothing, true);
    await disk.persist({ hardState: hard(1, 0), entries: [entry(1, 1)], mustSync: true });
    await disk.persist({ hardState: hard(1, 1), entries: [], mustSync: false });
    expect(disk.crash()).toBe(1);
    expect(disk.recover().hardState).toEqual(hard(1, 0));
  });

  it('a later synced write makes earlier unsynced ones durable', async () => {
    const disk = new SimulatedDisk<string>('n1', keepNothing, true);
    await disk.persist({ hardState: hard(1, 1), entries: [], mustSync: false });
    await disk.persist({ hardState: null, entries: [entry(1, 1)], mustSync: true });
    expect(disk.crash()).toBe(0);
    expect(disk.recover()).toEqual({ hardState: hard(1, 1), entries: [entry(1, 1)] });
  });

  it('in deferred mode, a persist resolves only on release, and a crash before that may lose it', async () => {
    const disk = new SimulatedDisk<string>('n1', keepNothing, true);
    disk.setDeferred(true);
    let resolved = false;
    void disk
      .persist({ hardState: hard(1, 0), entries: [entry(1, 1)], mustSync: true })
      .then(() => (resolved = true));
    await Promise.resolve();
    expect(resolved).toBe(false);
    expect(disk.crash()).toBe(1);
    expect(disk.recover().entries).toEqual([]);
  });

  it('a released deferred persist is durable', async () => {
    const disk = new SimulatedDisk<string>('n1', keepNothing, true);
    disk.setDeferred(true);
    const persisted = disk.persist({ hardState: hard(1, 0), entries: [entry(1, 1)], mustSync: true });
    disk.release();
    await persisted;
    disk.crash();
    expect(disk.recover().entries).toEqual([entry(1, 1)]);
  });

  it('refuses a batch that would leave a gap, as the real WAL does', () => {
    const disk = new SimulatedDisk<string>('n1', new SeededRandom(1), true);
    expect(() => disk.persist({ hardState: null, entries: [entry(2, 1)], mustSync: true })).toThrow(
      /start at 2 but the log ends at 0/,
    );
  });

  it('keeps every write on crash when unsynced-write loss is off', async () => {
    const disk = new SimulatedDisk<string>('n1', keepNothing, false);
    await disk.persist({ hardState: hard(1, 1), entries: [], mustSync: false });
    expect(disk.crash()).toBe(0);
    expect(disk.recover().hardState).toEqual(hard(1, 1));
  });
});
