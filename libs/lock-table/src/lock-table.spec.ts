import { SeededRandom } from '@app/replicated-log';
import { defined } from '../../../test/support/defined';
import type { LockCommand } from './lock-command';
import type { LockOutcome } from './lock-outcome';
import type { LockState } from './lock-state';
import { dueExpirations } from './due-expirations';
import { LockTable } from './lock-table';

const preempt = (name: string, clientId: string): LockCommand => ({ type: 'preempt', name, clientId });
const release = (name: string, clientId: string): LockCommand => ({ type: 'release', name, clientId });

describe('LockTable', () => {
  it('grants a free lock with the entry index as fencing token', () => {
    const table = new LockTable();
    expect(table.apply(3, preempt('a', 'c1'))).toEqual({
      type: 'granted',
      name: 'a',
      owner: 'c1',
      fencingToken: 3,
    });
    expect(table.ownerOf('a')).toEqual({ name: 'a', owner: 'c1', fencingToken: 3 });
    expect(table.appliedIndex).toBe(3);
  });

  it('refuses a held lock to another client, naming the holder and its token', () => {
    const table = new LockTable();
    table.apply(1, preempt('a', 'c1'));
    expect(table.apply(2, preempt('a', 'c2'))).toEqual({
      type: 'lockHeld',
      name: 'a',
      owner: 'c1',
      fencingToken: 1,
    });
    expect(table.ownerOf('a')?.owner).toBe('c1');
  });

  it('a preempt by the current owner is an idempotent retry: granted again with the same token', () => {
    const table = new LockTable();
    table.apply(4, preempt('a', 'c1'));
    expect(table.apply(9, preempt('a', 'c1'))).toEqual({
      type: 'granted',
      name: 'a',
      owner: 'c1',
      fencingToken: 4,
    });
  });

  it('release by the owner frees the lock; the next grant gets a higher token', () => {
    const table = new LockTable();
    table.apply(1, preempt('a', 'c1'));
    expect(table.apply(2, release('a', 'c1'))).toEqual({
      type: 'released',
      name: 'a',
      previousOwner: 'c1',
      fencingToken: 1,
    });
    expect(table.ownerOf('a')).toBeNull();
    expect(table.apply(3, preempt('a', 'c2'))).toEqual({
      type: 'granted',
      name: 'a',
      owner: 'c2',
      fencingToken: 3,
    });
  });

  it("release of a free lock is notHeld; of someone else's lock is notOwner and changes nothing", () => {
    const table = new LockTable();
    expect(table.apply(1, release('a', 'c1'))).toEqual({ type: 'notHeld', name: 'a' });
    table.apply(2, preempt('a', 'c1'));
    expect(table.apply(3, release('a', 'c2'))).toEqual({ type: 'notOwner', name: 'a', owner: 'c1' });
    expect(table.ownerOf('a')).toEqual({ name: 'a', owner: 'c1', fencingToken: 2 });
  });

  it('locks are independent of one another', () => {
    const table = new LockTable();
    table.apply(1, preempt('a', 'c1'));
    expect(table.apply(2, preempt('b', 'c2'))).toMatchObject({ type: 'granted', fencingToken: 2 });
    expect(table.size).toBe(2);
  });

  it('indexes must strictly increase, also across skip()', () => {
    const table = new LockTable();
    table.apply(2, preempt('a', 'c1'));
    expect(() => table.apply(2, preempt('b', 'c1'))).toThrow(/apply out of order: 2 after 2/);
    table.skip(3);
    expect(() => table.skip(3)).toThrow(/out of order/);
    expect(() => table.apply(1, preempt('b', 'c1'))).toThrow(/out of order/);
    expect(table.appliedIndex).toBe(3);
  });

  it('list filters by prefix, sorts by name and honours the limit', () => {
    const table = new LockTable();
    ['jobs/b', 'jobs/a', 'other', 'jobs/c'].forEach((name, i) => table.apply(i + 1, preempt(name, 'c1')));
    expect(table.list('jobs/', 10).map((l) => l.name)).toEqual(['jobs/a', 'jobs/b', 'jobs/c']);
    expect(table.list('jobs/', 2).map((l) => l.name)).toEqual(['jobs/a', 'jobs/b']);
    expect(table.list('', 10).map((l) => l.name)).toEqual(['jobs/a', 'jobs/b', 'jobs/c', 'other']);
    expect(table.list('nope', 10)).toEqual([]);
  });
});

/** The specification, as plainly as possible: a Map from lock name to holder. */
class NaiveLockModel {
  readonly holders = new Map<string, { owner: string; fencingToken: number }>();

  apply(index: number, command: LockCommand): LockOutcome {
    const { name, clientId } = command as Extract<LockCommand, { type: 'preempt' | 'release' }>;
    const held = this.holders.get(name);
    if (command.type === 'preempt') {
      if (held === undefined) {
        this.holders.set(name, { owner: clientId, fencingToken: index });
        return { type: 'granted', name, owner: clientId, fencingToken: index };
      }
      if (held.owner === clientId)
        return { type: 'granted', name, owner: clientId, fencingToken: held.fencingToken };
      return { type: 'lockHeld', name, owner: held.owner, fencingToken: held.fencingToken };
    }
    if (held === undefined) return { type: 'notHeld', name };
    if (held.owner !== clientId) return { type: 'notOwner', name, owner: held.owner };
    this.holders.delete(name);
    return { type: 'released', name, previousOwner: clientId, fencingToken: held.fencingToken };
  }

  list(): LockState[] {
    return [...this.holders.entries()]
      .map(([name, h]) => ({ name, owner: h.owner, fencingToken: h.fencingToken }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}

/** Cheap on the happy path; jest's diff only when something differs. */
function same(where: string, actual: unknown, expected: unknown): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected))
    expect({ where, actual }).toEqual({ where, actual: expected });
}

describe('LockTable against a naive Map model', () => {
  it('agrees on every outcome, ownerOf and list over 300 random command sequences', () => {
    const random = new SeededRandom(7_2024);
    for (let run = 0; run < 300; run++) {
      const table = new LockTable();
      const model = new NaiveLockModel();
      const names = Array.from({ length: random.intBetween(1, 5) }, (_, i) => `lock/${i}`);
      const clients = Array.from({ length: random.intBetween(1, 4) }, (_, i) => `client-${i}`);
      let index = 0;
      const lastToken = new Map<string, number>();
      for (let step = 0; step < 200; step++) {
        // Gaps in the index stand for noop and membership entries between commands.
        index += random.next() < 0.2 ? random.intBetween(2, 4) : 1;
        const name = defined(names[random.intBetween(0, names.length - 1)], 'a lock name');
        const client = defined(clients[random.intBetween(0, clients.length - 1)], 'a client');
        const command = random.next() < 0.55 ? preempt(name, client) : release(name, client);
        const where = `run ${run}, step ${step}, index ${index}, ${JSON.stringify(command)}`;
        const outcome = table.apply(index, command);
        same(where, outcome, model.apply(index, command));
        if (outcome.type === 'granted' && outcome.fencingToken === index) {
          // A fresh grant: fencing tokens per lock only ever grow.
          same(`${where}: token above the last`, outcome.fencingToken > (lastToken.get(name) ?? 0), true);
          lastToken.set(name, outcome.fencingToken);
        }
        for (const n of names) {
          const h = model.holders.get(n);
          same(`${where}: ownerOf(${n})`, table.ownerOf(n), h === undefined ? null : { name: n, ...h });
        }
      }
      expect(table.list('', 10_000)).toEqual(model.list());
      expect(table.size).toBe(model.holders.size);
    }
  });
});

describe('LockTable request ids', () => {
  const alice = '5f0c8a1e-7b9d-5c3e-9a41-0d2b6f7e8c11';

  it('answers a retried request the same without applying it again', () => {
    const table = new LockTable();
    expect(table.apply(1, { type: 'preempt', name: 'a', clientId: alice, requestId: 7 })).toMatchObject({
      type: 'granted',
      fencingToken: 1,
    });
    table.apply(2, { type: 'release', name: 'a', clientId: alice, requestId: 8 });
    expect(table.apply(3, { type: 'preempt', name: 'a', clientId: alice, requestId: 7 })).toMatchObject({
      type: 'granted',
      fencingToken: 1,
    });
    expect(table.ownerOf('a')).toBeNull();
  });

  it('treats a requestId reused for a different request as a new request', () => {
    const table = new LockTable();
    table.apply(1, { type: 'preempt', name: 'r1', clientId: alice, requestId: 42 });
    expect(table.apply(2, { type: 'release', name: 'r1', clientId: alice, requestId: 42 })).toMatchObject({
      type: 'released',
    });
    expect(table.apply(3, { type: 'preempt', name: 'r2', clientId: alice, requestId: 42 })).toMatchObject({
      type: 'granted',
      name: 'r2',
      fencingToken: 3,
    });
  });
});

describe('LockTable waiting preempts', () => {
  const wait = (clientId: string, waitMs: number, requestId?: number): LockCommand => ({
    type: 'preempt',
    name: 'a',
    clientId,
    waitMs,
    ...(requestId === undefined ? {} : { requestId }),
  });

  it('answers a retry of a granted wait (same requestId) with the grant and its fencing token', () => {
    const table = new LockTable();
    table.apply(1, preempt('a', 'c1'));
    expect(table.apply(2, wait('c2', 5_000, 7))).toMatchObject({ type: 'queued', waiterId: 2 });
    // Still queued: the retry joins its place and hears "queued" again.
    expect(table.apply(3, wait('c2', 5_000, 7))).toMatchObject({ type: 'queued', waiterId: 2 });
    const { events } = table.applyEntry(4, 0, release('a', 'c1'));
    expect(events).toContainEqual({ type: 'granted', name: 'a', owner: 'c2', fencingToken: 4, waiterId: 2 });

    // The grant's answer was lost on the wire; the client retries the same request.
    const granted = { type: 'granted', name: 'a', owner: 'c2', fencingToken: 4 };
    expect(table.applyEntry(5, 0, wait('c2', 5_000, 7))).toEqual({ outcome: granted, events: [] });
    // Also after the lock moved on: a retry is answered as the request was.
    table.apply(6, release('a', 'c2'));
    expect(table.apply(7, wait('c2', 5_000, 7))).toEqual(granted);
    expect(table.ownerOf('a')).toBeNull();
  });

  it('ignores an expiry decided for a deadline that a retried wait has since extended', () => {
    const table = new LockTable();
    table.apply(1, preempt('a', 'c1'), 0);
    table.apply(2, wait('c2', 1_000), 0);
    // The leader, at 1000 ms, finds the waiter due; before that expiry is applied, the
    // client's retried wait (at 500 ms) moves the deadline to 1500 ms.
    const due = dueExpirations(table.expiryState(), 1_000, () => false);
    expect(due).toHaveLength(1);
    table.apply(3, wait('c2', 1_000), 500);
    const { outcome, events } = table.applyEntry(4, 1_000, defined(due[0], 'the due expiry'));
    expect({ outcome, events }).toEqual({ outcome: { type: 'noChange' }, events: [] });
    expect(table.waitingCount('a')).toBe(1);

    // The expiry decided for the new deadline does remove it.
    const later = dueExpirations(table.expiryState(), 1_500, () => false);
    expect(later).toHaveLength(1);
    expect(table.applyEntry(5, 1_500, defined(later[0], 'the later expiry')).events).toEqual([
      { type: 'waiterLeft', name: 'a', waiterId: 2, reason: 'timedOut' },
    ]);
    expect(table.waitingCount('a')).toBe(0);
  });
});
