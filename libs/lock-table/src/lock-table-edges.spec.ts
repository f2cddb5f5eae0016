import { ClientRequests } from './client-requests';
import { constantTimeEqual } from './constant-time-equal';
import { GrantedWaiters } from './granted-waiters';
import type { LockCommand } from './lock-command';
import { LockTable } from './lock-table';

const SESSION = 'a'.repeat(32);
const OTHER_SESSION = 'b'.repeat(32);

const open = (sessionId: string, clientId: string, ttlMs = 5_000): LockCommand => ({
  type: 'openSession',
  sessionId,
  clientId,
  ttlMs,
});

describe('constantTimeEqual', () => {
  it('is true only for the same string', () => {
    expect(constantTimeEqual('secret', 'secret')).toBe(true);
    expect(constantTimeEqual('', '')).toBe(true);
    expect(constantTimeEqual('secret', 'secreT')).toBe(false);
    expect(constantTimeEqual('secret', 'Secret')).toBe(false);
    expect(constantTimeEqual('secret', 'secre')).toBe(false);
    expect(constantTimeEqual('secret', 'secrets')).toBe(false);
    expect(constantTimeEqual('secret', '')).toBe(false);
    expect(constantTimeEqual('', 'x')).toBe(false);
    // A missing character counts as a difference even where the stored one is NUL.
    expect(constantTimeEqual('ab\u0000', 'ab')).toBe(false);
  });
});

describe('session locks', () => {
  function tableWithSessionLock(): LockTable {
    const table = new LockTable();
    table.apply(1, open(SESSION, 'c1'));
    table.apply(2, { type: 'preempt', name: 'x', clientId: 'c1', sessionId: SESSION });
    return table;
  }

  it('are released by their owner with the session id', () => {
    const table = tableWithSessionLock();
    expect(table.apply(3, { type: 'release', name: 'x', clientId: 'c1', sessionId: SESSION })).toEqual({
      type: 'released',
      name: 'x',
      previousOwner: 'c1',
      fencingToken: 2,
    });
    expect(table.ownerOf('x')).toBeNull();
    expect(table.session(SESSION)?.locks.size).toBe(0);
  });

  it('are not released without the session id, with another one, or by another client', () => {
    const table = tableWithSessionLock();
    const notOwner = { type: 'notOwner', name: 'x', owner: 'c1' };
    expect(table.apply(3, { type: 'release', name: 'x', clientId: 'c1' })).toEqual(notOwner);
    expect(table.apply(4, { type: 'release', name: 'x', clientId: 'c1', sessionId: OTHER_SESSION })).toEqual(
      notOwner,
    );
    expect(table.apply(5, { type: 'release', name: 'x', clientId: 'c2', sessionId: SESSION })).toEqual(
      notOwner,
    );
    expect(table.ownerOf('x')).toEqual({ name: 'x', owner: 'c1', fencingToken: 2 });
  });

  it('refuse a preempt with an unknown session or with the session of another client', () => {
    const table = tableWithSessionLock();
    expect(table.apply(3, { type: 'preempt', name: 'y', clientId: 'c1', sessionId: OTHER_SESSION })).toEqual({
      type: 'sessionNotFound',
    });
    expect(table.apply(4, { type: 'preempt', name: 'y', clientId: 'c2', sessionId: SESSION })).toEqual({
      type: 'sessionMismatch',
    });
    expect(table.ownerOf('y')).toBeNull();
  });

  it('are held apart from the same client without the session: that is another holder', () => {
    const table = tableWithSessionLock();
    expect(table.apply(3, { type: 'preempt', name: 'x', clientId: 'c1' })).toEqual({
      type: 'lockHeld',
      name: 'x',
      owner: 'c1',
      fencingToken: 2,
    });
  });

  it('end with their session: closing is a release, expiry an expiry; an unknown session is no change', () => {
    const table = tableWithSessionLock();
    expect(table.applyEntry(3, 0, { type: 'expireSession', sessionId: OTHER_SESSION })).toEqual({
      outcome: { type: 'noChange' },
      events: [],
    });
    expect(table.apply(4, { type: 'closeSession', sessionId: OTHER_SESSION })).toEqual({
      type: 'sessionNotFound',
    });
    expect(table.applyEntry(5, 0, { type: 'expireSession', sessionId: SESSION })).toEqual({
      outcome: { type: 'sessionClosed', sessionId: SESSION },
      events: [{ type: 'expired', name: 'x', owner: 'c1', fencingToken: 2, reason: 'session' }],
    });
    expect(table.hasSession(SESSION)).toBe(false);
    expect(table.ownerOf('x')).toBeNull();
  });
});

describe('lock TTLs and waiters', () => {
  it('stamps the expiry of a grant from the entry time and the TTL, also for a granted waiter', () => {
    const table = new LockTable();
    table.apply(1, { type: 'preempt', name: 'x', clientId: 'c1', ttlMs: 1_000 }, 100);
    table.apply(2, { type: 'preempt', name: 'x', clientId: 'c2', ttlMs: 3_000, waitMs: 5_000 }, 200);
    const expiries = () => [...table.expiryState().locks].map((lock) => [lock.owner, lock.expiresAtMs]);
    expect(expiries()).toEqual([['c1', 1_100]]);
    expect([...table.expiryState().waiters]).toEqual([
      expect.objectContaining({ waiterId: 2, clientId: 'c2', deadlineMs: 5_200, ttlMs: 3_000 }),
    ]);
    table.apply(3, { type: 'release', name: 'x', clientId: 'c1' }, 700);
    expect(expiries()).toEqual([['c2', 3_700]]);
    expect([...table.expiryState().waiters]).toEqual([]);
  });

  it('expires a lock only at its own fencing token', () => {
    const table = new LockTable();
    table.apply(1, { type: 'preempt', name: 'x', clientId: 'c1', ttlMs: 1_000 });
    expect(table.applyEntry(2, 0, { type: 'expireLock', name: 'x', fencingToken: 9 })).toEqual({
      outcome: { type: 'noChange' },
      events: [],
    });
    expect(table.applyEntry(3, 0, { type: 'expireLock', name: 'gone', fencingToken: 1 }).events).toEqual([]);
    expect(table.ownerOf('x')?.owner).toBe('c1');
    expect(table.applyEntry(4, 0, { type: 'expireLock', name: 'x', fencingToken: 1 }).events).toEqual([
      { type: 'expired', name: 'x', owner: 'c1', fencingToken: 1, reason: 'lockTtl' },
    ]);
    expect(table.size).toBe(0);
  });

  it('keeps the later deadline when a wait is retried, and drops a waiter on an old-style expiry', () => {
    const table = new LockTable();
    table.apply(1, { type: 'preempt', name: 'x', clientId: 'c1' });
    table.apply(2, { type: 'preempt', name: 'x', clientId: 'c2', waitMs: 5_000 }, 1_000);
    // A retry with a shorter wait does not shorten the earlier one.
    expect(table.apply(3, { type: 'preempt', name: 'x', clientId: 'c2', waitMs: 1_000 }, 2_000)).toEqual({
      type: 'queued',
      name: 'x',
      waiterId: 2,
      owner: 'c1',
      fencingToken: 1,
    });
    expect([...table.expiryState().waiters].map((w) => w.deadlineMs)).toEqual([6_000]);
    expect(table.waitingCount('x')).toBe(1);
    expect(table.applyEntry(4, 0, { type: 'expireWaiter', waiterId: 2 }).events).toEqual([
      { type: 'waiterLeft', name: 'x', waiterId: 2, reason: 'timedOut' },
    ]);
    expect(table.waitingCount('x')).toBe(0);
    expect(table.applyEntry(5, 0, { type: 'expireWaiter', waiterId: 2 }).events).toEqual([]);
  });

  it('a waiting session leaves the queue when its session ends, and the next waiter is granted', () => {
    const table = new LockTable();
    table.apply(1, open(SESSION, 'c2'));
    table.apply(2, { type: 'preempt', name: 'x', clientId: 'c1' });
    table.apply(3, { type: 'preempt', name: 'x', clientId: 'c2', sessionId: SESSION, waitMs: 5_000 });
    table.apply(4, { type: 'preempt', name: 'x', clientId: 'c3', waitMs: 5_000 });
    expect(table.session(SESSION)?.waiterIds).toEqual(new Set([3]));
    expect(table.applyEntry(5, 0, { type: 'closeSession', sessionId: SESSION }).events).toEqual([
      { type: 'waiterLeft', name: 'x', waiterId: 3, reason: 'sessionEnded' },
    ]);
    expect(table.applyEntry(6, 0, { type: 'release', name: 'x', clientId: 'c1' }).events).toEqual([
      { type: 'released', name: 'x', owner: 'c1', fencingToken: 2 },
      { type: 'granted', name: 'x', owner: 'c3', fencingToken: 6, waiterId: 4 },
    ]);
  });
});

describe('ClientRequests', () => {
  const outcome = { type: 'noChange' } as const;

  it('remembers the last 64 requests of a client', () => {
    const requests = new ClientRequests();
    for (let id = 1; id <= 65; id++) requests.remember('c1', id, `r${id}`, outcome);
    expect(requests.outcomeOf('c1', 1, 'r1')).toBeUndefined();
    expect(requests.outcomeOf('c1', 2, 'r2')).toBe(outcome);
    expect(requests.outcomeOf('c1', 65, 'r65')).toBe(outcome);
    expect(requests.outcomeOf('c1', 65, 'another request')).toBeUndefined();
    expect(requests.outcomeOf('c2', 65, 'r65')).toBeUndefined();
  });

  it('forgets the least recently active of more than 10,000 clients', () => {
    const requests = new ClientRequests();
    for (let client = 0; client < 10_000; client++) requests.remember(`c${client}`, 1, 'r', outcome);
    // c0 is active again: c1 is now the least recent, and goes when one more client comes.
    requests.remember('c0', 2, 'r', outcome);
    requests.remember('new', 1, 'r', outcome);
    expect(requests.outcomeOf('c1', 1, 'r')).toBeUndefined();
    expect(requests.outcomeOf('c0', 1, 'r')).toBe(outcome);
    expect(requests.outcomeOf('c2', 1, 'r')).toBe(outcome);
    expect(requests.outcomeOf('new', 1, 'r')).toBe(outcome);
  });
});

describe('GrantedWaiters', () => {
  const granted = (fencingToken: number) =>
    ({ type: 'granted', name: 'x', owner: 'c', fencingToken }) as const;
  const queued = (waiterId: number) =>
    ({ type: 'queued', name: 'x', waiterId, owner: 'o', fencingToken: 1 }) as const;

  it('turns a queued outcome into the grant it came to, and leaves any other outcome alone', () => {
    const waiters = new GrantedWaiters();
    waiters.remember(7, granted(9));
    expect(waiters.settled(queued(7))).toEqual(granted(9));
    expect(waiters.settled(queued(8))).toEqual(queued(8));
    expect(waiters.settled({ type: 'noChange' })).toEqual({ type: 'noChange' });
  });

  it('remembers the last 100,000 grants', () => {
    const waiters = new GrantedWaiters();
    for (let id = 1; id <= 100_001; id++) waiters.remember(id, granted(id));
    expect(waiters.settled(queued(1))).toEqual(queued(1));
    expect(waiters.settled(queued(2))).toEqual(granted(2));
    expect(waiters.settled(queued(100_001))).toEqual(granted(100_001));
  });
});
