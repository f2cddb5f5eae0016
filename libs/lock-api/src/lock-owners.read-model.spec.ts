import { LockOwnersReadModel } from './lock-owners.read-model';

const lock = (name: string, owner: string, fencingToken: number) => ({ name, owner, fencingToken });

describe('LockOwnersReadModel', () => {
  it('answers holders from grants and frees, and lists by prefix in name order up to a limit', () => {
    const model = new LockOwnersReadModel();
    model.grant(lock('jobs/b', 'c2', 2));
    model.grant(lock('jobs/a', 'c1', 1));
    model.grant(lock('other', 'c3', 3));
    model.free('other');
    expect(model.get('jobs/a')).toEqual(lock('jobs/a', 'c1', 1));
    expect(model.get('other')).toBeNull();
    expect(model.list('jobs/', 10).map((l) => l.name)).toEqual(['jobs/a', 'jobs/b']);
    expect(model.list('', 1)).toEqual([lock('jobs/a', 'c1', 1)]);
  });

  it('counts waiters per lock and forgets a lock whose queue is empty', () => {
    const model = new LockOwnersReadModel();
    model.changeWaiters('q', 2);
    model.changeWaiters('q', -1);
    expect(model.waiting('q')).toBe(1);
    model.changeWaiters('q', -1);
    expect(model.waiting('q')).toBe(0);
    expect(model.waiting('never')).toBe(0);
  });

  it('starts over from a snapshot: its locks and queues only, as of its index', () => {
    const model = new LockOwnersReadModel();
    model.grant(lock('stale', 'c9', 9));
    model.changeWaiters('stale', 1);
    const snapshotLock = lock('fresh', 'c1', 12);
    model.reset(
      [snapshotLock],
      new Map([
        ['fresh', 2],
        ['empty', 0],
      ]),
      40,
    );
    snapshotLock.owner = 'changed after the reset';
    expect(model.get('stale')).toBeNull();
    expect(model.waiting('stale')).toBe(0);
    expect(model.get('fresh')).toEqual(lock('fresh', 'c1', 12));
    expect(model.waiting('fresh')).toBe(2);
    expect(model.waiting('empty')).toBe(0);
    expect(model.appliedIndex).toBe(40);
  });

  it('never moves its applied index back', () => {
    const model = new LockOwnersReadModel();
    model.advanceTo(7);
    model.advanceTo(3);
    expect(model.appliedIndex).toBe(7);
  });

  it('answers a wait for an index already reflected at once, and others when the index is reached', async () => {
    const model = new LockOwnersReadModel();
    model.advanceTo(5);
    await expect(model.waitForIndex(5, 60_000)).resolves.toBe(true);
    const seven = model.waitForIndex(7, 60_000);
    const nine = model.waitForIndex(9, 60_000);
    model.advanceTo(7);
    await expect(seven).resolves.toBe(true);
    model.reset([], new Map(), 9);
    await expect(nine).resolves.toBe(true);
  });

  it('answers false when the index is not reached in time; an answered wait stops its timer', async () => {
    jest.useFakeTimers();
    try {
      const model = new LockOwnersReadModel();
      const late = model.waitForIndex(3, 1000);
      const answered = model.waitForIndex(2, 1000);
      model.advanceTo(2);
      await expect(answered).resolves.toBe(true);
      expect(jest.getTimerCount()).toBe(1);
      jest.advanceTimersByTime(1000);
      await expect(late).resolves.toBe(false);
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });
});
