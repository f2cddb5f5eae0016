import { waitFor } from '../../../test/support/wait-for';
import { fakeLocks, FakeLockClient, type FakeSession } from '../../../test/support/fake-lock-service';
import { forkLockName, forkOrder } from './fork-names';
import type { PhilosopherMessage, SeatConfig } from './ipc-messages';
import { Philosopher } from './philosopher';

// A philosopher takes its forks through the SDK; here the SDK is a lock table in this
// process (test/support/fake-lock-service.ts), so that a test can hold a fork or end a session at
// an exact moment. The table's side (meal counts, replies) is played by TestTable below.
jest.mock('@app/lock-client', () => {
  const actual = jest.requireActual<typeof import('@app/lock-client')>('@app/lock-client');
  const fake = jest.requireActual<typeof import('../../../test/support/fake-lock-service')>(
    '../../../test/support/fake-lock-service',
  );
  return { ...actual, LockClient: fake.FakeLockClient };
});

let run = 0;

/** The table's part: it counts meals, answers `end`, and tells everyone the counts. */
class TestTable {
  readonly heard: { p: number; message: PhilosopherMessage }[] = [];
  readonly seats: Philosopher[] = [];
  readonly dinners: Promise<void>[] = [];
  readonly meals: number[];
  readonly seated: boolean[];
  readonly runId = `run${++run}`;

  constructor(
    readonly philosophers: number,
    present: number[],
    forkWaitMs = 60_000,
  ) {
    this.meals = new Array<number>(philosophers).fill(0);
    this.seated = new Array<boolean>(philosophers).fill(false);
    for (const index of present) {
      this.seated[index] = true;
      const config: SeatConfig = {
        index,
        philosophers,
        nodes: ['127.0.0.1:1'],
        runId: this.runId,
        eatMs: 5,
        thinkMs: 0,
        sessionTtlMs: 1000,
        forkWaitMs,
      };
      this.seats[index] = new Philosopher(config, (message) => this.hear(index, message));
    }
  }

  async go(): Promise<void> {
    for (const seat of this.seats) if (seat !== undefined) await seat.sitDown();
    for (const seat of this.seats) if (seat !== undefined) this.dinners.push(seat.dine());
  }

  async stop(): Promise<void> {
    for (const seat of this.seats) seat?.onMessage({ type: 'stop' });
    await Promise.all(this.dinners);
    for (const seat of this.seats) await seat?.leave();
  }

  fork(fork: number): string {
    return forkLockName(this.runId, fork);
  }

  said(p: number, type: PhilosopherMessage['type']): PhilosopherMessage[] {
    return this.heard.filter((h) => h.p === p && h.message.type === type).map((h) => h.message);
  }

  private hear(p: number, message: PhilosopherMessage): void {
    this.heard.push({ p, message });
    if (message.type !== 'end') return;
    this.meals[p]!++;
    const counts = { meals: [...this.meals], seated: [...this.seated] };
    this.seats[p]?.onMessage({ type: 'reply', seq: message.seq, counts });
    for (const seat of this.seats) seat?.onMessage({ type: 'counts', ...counts });
  }
}

/** An outsider's session, to hold a fork the philosophers want. */
async function outsider(): Promise<FakeSession> {
  return new FakeLockClient({ nodes: [], clientId: 'outsider' }).openSession();
}

describe('a philosopher', () => {
  it('takes both forks in the global order, eats between the grants and the releases, and puts them back', async () => {
    const table = new TestTable(2, [0]);
    await table.go();
    await waitFor('two meals', () => table.meals[0]! >= 2);
    await table.stop();

    const [first, second] = forkOrder(0, 2);
    const events = table.heard.map(({ message: m }) =>
      m.type === 'took' || m.type === 'released' ? `${m.type} ${m.fork}` : m.type,
    );
    expect(events.slice(0, 7)).toEqual([
      'ready',
      `took ${first}`,
      `took ${second}`,
      'start',
      'end',
      expect.stringMatching(/^released /),
      expect.stringMatching(/^released /),
    ]);
    const start = table.said(0, 'start')[0];
    expect(start).toMatchObject({ forks: [{ fork: first }, { fork: second }], node: '127.0.0.1:1' });
    expect(table.said(0, 'trouble')).toEqual([]);
    // Every grant of a fork carries a larger fencing token than the one before.
    for (const fork of [first, second]) {
      const tokens = table
        .said(0, 'took')
        .flatMap((m) => (m.type === 'took' && m.fork === fork ? [m.fencingToken] : []));
      expect(tokens).toEqual([...tokens].sort((a, b) => a - b));
      expect(new Set(tokens).size).toBe(tokens.length);
    }
    expect(fakeLocks.holderOf(table.fork(0))).toBeUndefined();
    expect(fakeLocks.holderOf(table.fork(1))).toBeUndefined();
  });

  it('shares forks with its neighbours: no fork is held by two at once, and meal counts stay within one', async () => {
    const table = new TestTable(3, [0, 1, 2]);
    await table.go();
    await waitFor('three meals each', () => table.meals.every((m) => m >= 3));
    await table.stop();

    const holder = new Map<number, number>();
    for (const { p, message } of table.heard) {
      if (message.type === 'took') {
        expect(holder.get(message.fork)).toBeUndefined();
        holder.set(message.fork, p);
      }
      if (message.type === 'released') {
        expect(holder.get(message.fork)).toBe(p);
        holder.delete(message.fork);
      }
      if (message.type === 'start') expect(message.forks.map((f) => holder.get(f.fork))).toEqual([p, p]);
    }
    expect(Math.max(...table.meals) - Math.min(...table.meals)).toBeLessThanOrEqual(1);
  });

  it('waits in the fork queue while another holds it, and a wait that runs out is not reported as trouble', async () => {
    const table = new TestTable(2, [0], 20);
    const [first] = forkOrder(0, 2);
    const other = await outsider();
    const held = await other.lock(table.fork(first));
    await table.go();
    // The 20 ms waits run out again and again while the outsider holds the fork.
    await waitFor('two waits to run out', () => fakeLocks.timeouts(table.fork(first)) >= 2);
    expect(table.said(0, 'took')).toEqual([]);
    await held.release();
    await waitFor('a meal after the outsider let go', () => table.meals[0]! >= 1);
    await table.stop();
    await other.close();
    expect(table.said(0, 'trouble')).toEqual([]);
  });

  it('reports a lost session, opens a new one, and eats again', async () => {
    const table = new TestTable(2, [0]);
    const [first, second] = forkOrder(0, 2);
    const other = await outsider();
    const held = await other.lock(table.fork(second));
    await table.go();
    await waitFor('the first fork to be taken', () => table.said(0, 'took').length === 1);
    // Its session expires while it waits for the second fork.
    fakeLocks.expireHolder(table.fork(first), true);
    await waitFor('the loss to be reported', () => table.said(0, 'trouble').length >= 2);
    const troubles = table.said(0, 'trouble').map((m) => (m.type === 'trouble' ? m.message : ''));
    expect(troubles).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^session lost: /),
        expect.stringMatching(new RegExp(`^fork ${second}: `)),
      ]),
    );
    await held.release();
    await waitFor('a meal in a new session', () => table.meals[0]! >= 1);
    await table.stop();
    await other.close();
  });

  it('leaves the fork queue when told to stop, without reporting trouble', async () => {
    const table = new TestTable(2, [0]);
    const [first] = forkOrder(0, 2);
    const other = await outsider();
    await other.lock(table.fork(first));
    await table.go();
    await waitFor('a wait in the fork queue', () => fakeLocks.waiting(table.fork(first)) === 1);
    await table.stop();
    expect(table.said(0, 'took')).toEqual([]);
    expect(table.said(0, 'trouble')).toEqual([]);
    expect(fakeLocks.waiting(table.fork(first))).toBe(0);
    expect(fakeLocks.holderOf(table.fork(first))?.session).toBe(other);
    await other.close();
  });
});
