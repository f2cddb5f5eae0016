import { LockTable, type LockCommand } from '@app/lock-table';
import { LockActivity, type ActivityDelta } from './lock-activity';
import { defined } from '../../../../test/support/defined';

const A = 'a0000000-0000-4000-8000-000000000001';
const B = 'b0000000-0000-4000-8000-000000000002';
const C = 'c0000000-0000-4000-8000-000000000003';

/** Drives a real LockTable and feeds what it applied to the activity model, like a node does. */
function harness() {
  const table = new LockTable();
  const activity = new LockActivity();
  let index = 0;
  const apply = (command: LockCommand, leaderTimeMs: number): ActivityDelta => {
    index++;
    const { outcome, events } = table.applyEntry(index, leaderTimeMs, command);
    return activity.record({ index, command, outcome, events, leaderTimeMs });
  };
  return { activity, apply };
}

describe('LockActivity', () => {
  it('shows the holder with grant time and TTL deadline, and its waiters in queue order', () => {
    const { activity, apply } = harness();
    apply({ type: 'preempt', name: 'x', clientId: A, ttlMs: 5000 }, 1000);
    apply({ type: 'preempt', name: 'x', clientId: B, waitMs: 3000 }, 1100);
    apply({ type: 'preempt', name: 'x', clientId: C, waitMs: 4000 }, 1200);
    const [lock] = activity.page(0, 10, '').locks;
    expect(lock).toMatchObject({
      name: 'x',
      owner: A,
      fencingToken: 1,
      grantedAtMs: 1000,
      expiresAtMs: 6000,
    });
    expect(
      defined(lock, 'the held lock').waiters.map((w) => [w.clientId, w.queuedAtMs, w.deadlineMs]),
    ).toEqual([
      [B, 1100, 4100],
      [C, 1200, 5200],
    ]);
    expect(activity.waiterCount).toBe(2);
  });

  it('hands the lock to the first waiter on release, keeping the rest of the queue, and measures hold and wait', () => {
    const { activity, apply } = harness();
    apply({ type: 'preempt', name: 'x', clientId: A }, 1000);
    apply({ type: 'preempt', name: 'x', clientId: B, waitMs: 3000, ttlMs: 2000 }, 1100);
    apply({ type: 'preempt', name: 'x', clientId: C, waitMs: 3000 }, 1200);
    const delta = apply({ type: 'release', name: 'x', clientId: A }, 1500);
    expect(delta).toMatchObject({ grants: 1, releases: 1, holdMs: [500], waitMs: [400] });
    const [lock] = activity.page(0, 10, '').locks;
    expect(lock).toMatchObject({ owner: B, fencingToken: 4, grantedAtMs: 1500, expiresAtMs: 3500 });
    expect(defined(lock, 'the held lock').waiters.map((w) => w.clientId)).toEqual([C]);
    expect(activity.recent(3).map((f) => [f.type, f.owner])).toEqual([
      ['granted', B],
      ['released', A],
      ['granted', A],
    ]);
    expect(activity.busiest(1)[0]).toMatchObject({
      name: 'x',
      grants: 2,
      holds: 1,
      holdMsTotal: 500,
      waits: 1,
    });
  });

  it('counts expiries by reason and open sessions, and drops a waiter whose time ran out', () => {
    const { activity, apply } = harness();
    const sessionId = 'secret-session-0001';
    apply({ type: 'openSession', sessionId, clientId: A, ttlMs: 10000 }, 900);
    apply({ type: 'preempt', name: 'y', clientId: A, sessionId }, 1000);
    apply({ type: 'preempt', name: 'z', clientId: B, ttlMs: 100 }, 1000);
    apply({ type: 'preempt', name: 'y', clientId: B, waitMs: 50 }, 1010);
    expect(activity.sessionCount).toBe(1);
    apply({ type: 'expireWaiter', waiterId: 4 }, 1100);
    expect(defined(activity.page(0, 10, 'y').locks[0], 'lock y').waiters).toEqual([]);
    expect(apply({ type: 'expireLock', name: 'z', fencingToken: 3 }, 1200).expiries).toEqual({
      lockTtl: 1,
      session: 0,
    });
    expect(apply({ type: 'expireSession', sessionId }, 1300)).toMatchObject({
      expiries: { lockTtl: 0, session: 1 },
      sessions: -1,
    });
    expect(activity.heldCount).toBe(0);
    expect(JSON.stringify(activity.recent(10))).not.toContain(sessionId);
  });

  it('pages and filters held locks in name order', () => {
    const { activity, apply } = harness();
    for (let i = 0; i < 25; i++)
      apply({ type: 'preempt', name: `job-${String(i).padStart(2, '0')}`, clientId: A }, 1000);
    apply({ type: 'preempt', name: 'other', clientId: A }, 1000);
    const page = activity.page(10, 10, 'job-');
    expect(page.total).toBe(25);
    expect(page.locks.map((l) => l.name)).toEqual(
      Array.from({ length: 10 }, (_, i) => `job-${String(i + 10).padStart(2, '0')}`),
    );
  });
});
