import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AssertionError } from '@app/replicated-log';
import { FileDurableStorage, WAL_FILE_NAME } from './file-durable-storage';
import { range, request, type Cmd } from '../test/persist-requests';

/** The replicated log never overlaps its calls to storage; the storage holds it to that. */
describe('FileDurableStorage: calls must be serialized', () => {
  let dir: string;
  const inFlight = () =>
    `FileDurableStorage.persist on ${path.join(dir, WAL_FILE_NAME)} while a persist is in flight; calls must be serialized`;
  /** The error a call was refused with, or a failure of the spec if it was not refused. */
  const refusal = (settled: PromiseSettledResult<unknown>): Error => {
    if (settled.status === 'fulfilled') throw new Error('the overlapping call was not refused');
    return settled.reason as Error;
  };
  const hardStateOnly = request({ hardState: { term: 2, votedFor: 'n1', commitIndex: 0 } });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-wal-serial-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('refuses a persist while another is in flight, even one that writes only a hard state', async () => {
    const { storage } = await FileDurableStorage.open<Cmd>(dir, { logger: () => undefined });
    const first = storage.persist(request({ entries: range(1, 2, 1) }));
    const overlapping = storage.persist(hardStateOnly);
    // Both settle before anything is checked: nothing is left running when the spec ends.
    const [written, refused] = await Promise.allSettled([first, overlapping]);
    expect(written.status).toBe('fulfilled');
    expect(refusal(refused)).toBeInstanceOf(AssertionError);
    expect(refusal(refused).message).toBe(inFlight());
    await storage.persist(hardStateOnly);
    await storage.close();
    const { storage: again, recovered } = await FileDurableStorage.open<Cmd>(dir, {
      logger: () => undefined,
    });
    expect(recovered.entries.map((e) => e.index)).toEqual([1, 2]);
    await again.close();
  });

  it('refuses a persist while a restart after a snapshot is under way', async () => {
    const { storage } = await FileDurableStorage.open<Cmd>(dir, { logger: () => undefined });
    const resetting = storage.resetTo({ index: 10, term: 2 });
    const overlapping = storage.persist(hardStateOnly);
    const [reset, refused] = await Promise.allSettled([resetting, overlapping]);
    expect(reset.status).toBe('fulfilled');
    expect(refusal(refused)).toBeInstanceOf(AssertionError);
    expect(refusal(refused).message).toBe(inFlight());
    await storage.persist(request({ entries: range(11, 11, 2) }));
    await storage.close();
  });
});
