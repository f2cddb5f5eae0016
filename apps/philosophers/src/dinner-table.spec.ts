import { join } from 'node:path';
import { fakeLocks, FakeLockClient } from '../../../test/support/fake-lock-service';
import { DinnerTable, type NodeKiller } from './dinner-table';
import { ExpiryWatch } from './expiry-watch';
import type { KillNodeFault, KillPhilosopherFault } from './fault-report';
import { forkLockName } from './fork-names';
import type { TableOptions } from './table-options';

// The table watches fork expiries through the SDK: here a lock table in this process.
jest.mock('@app/lock-client', () => {
  const actual = jest.requireActual<typeof import('@app/lock-client')>('@app/lock-client');
  const fake = jest.requireActual<typeof import('../../../test/support/fake-lock-service')>(
    '../../../test/support/fake-lock-service',
  );
  return { ...actual, LockClient: fake.FakeLockClient };
});

/** Real child processes over IPC, playing philosophers without a cluster (see the script). */
const SCRIPT = join(__dirname, '..', 'test', 'scripted-philosopher.js');
const NODES = ['127.0.0.1:7001', '127.0.0.1:7002'];

function options(overrides: Partial<TableOptions> = {}): TableOptions {
  return {
    philosophers: 3,
    seconds: 1,
    eatMs: 20,
    thinkMs: 5,
    servers: NODES,
    sessionTtlMs: 1000,
    forkWaitMs: 1000,
    ...overrides,
  };
}

const never = new Promise<void>(() => undefined);

describe('the dinner table', () => {
  let table: DinnerTable | null = null;

  afterEach(async () => {
    table?.killAllNow();
    await table?.waitAllGone(5000);
    table = null;
  });

  it('seats one process per philosopher, each on its own node first, and stamps their meals', async () => {
    table = new DinnerTable(options({ killNodeAfterS: 0.3 }), NODES, SCRIPT, false);
    const killed: string[] = [];
    const killer: NodeKiller = {
      nodes: [
        { id: 'n1', tcpAddress: NODES[0]! },
        { id: 'n2', tcpAddress: NODES[1]! },
      ],
      leaderId: () => Promise.resolve('n1'),
      kill: (id) => {
        killed.push(id);
        return Promise.resolve();
      },
    };
    table.setNodeKiller(killer);
    await table.seatEveryone(never);
    expect(table.pids).toHaveLength(3);
    expect(table.log.nodes).toEqual([NODES[0], NODES[1], NODES[0]]);

    let ticks = 0;
    await table.dine(never, () => ticks++, 50);
    expect(ticks).toBeGreaterThan(0);
    expect(table.log.counts[0]).toBeGreaterThan(0);
    expect(table.log.counts.slice(1)).toEqual([0, 0]);
    const finished = table.log.meals.filter((m) => m.finished);
    expect(finished.every((m) => m.philosopher === 0 && m.endMs >= m.startMs)).toBe(true);
    expect(table.log.troubles).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/ P1: only watching$/),
        expect.stringMatching(/ P2: only watching$/),
      ]),
    );
    // Everyone left when told to: no exit is reported as trouble.
    expect(table.log.troubles.filter((t) => t.includes('exited'))).toEqual([]);

    expect(killed).toEqual(['n1']);
    const [fault] = table.faults as KillNodeFault[];
    expect(fault).toMatchObject({ type: 'kill-node', node: 'n1', address: NODES[0], wasLeader: true });
    expect(fault!.mealsAfter[0]).toBeGreaterThan(0);
    expect(fault!.firstMealAfterMs).not.toBeNull();
  });

  it('kills an eating philosopher when asked, and works out which forks it held', async () => {
    table = new DinnerTable(
      options({ killPhilosopherAfterS: 0.2, philosophers: 2, seconds: 2 }),
      NODES,
      SCRIPT,
      true,
    );
    expect(table.setup).toMatchObject({ philosophers: 2, embeddedCluster: true, servers: NODES });
    await table.seatEveryone(never);
    await table.dine(never, () => undefined, 1000);

    const [fault] = table.faults as KillPhilosopherFault[];
    expect(fault).toMatchObject({
      type: 'kill-philosopher',
      philosopher: 0,
      wasEating: true,
      forksHeld: [0, 1],
    });
    // Nobody else took the forks afterwards, and no cluster expired them (the script holds no locks).
    expect(fault!.forksStuckMs).toEqual([
      { fork: 0, stuckMs: null, expiredAfterMs: null },
      { fork: 1, stuckMs: null, expiredAfterMs: null },
    ]);
    expect(table.log.seated).toEqual([false, false]);
    const killedMeal = table.log.meals.at(-1);
    expect(killedMeal).toMatchObject({ philosopher: 0, finished: false });
  });

  it('stops early when interrupted', async () => {
    table = new DinnerTable(options({ seconds: 600 }), NODES, SCRIPT, false);
    await table.seatEveryone(never);
    let interrupt: () => void = () => undefined;
    const interrupted = new Promise<void>((resolve) => (interrupt = resolve));
    const dinner = table.dine(interrupted, () => undefined, 1000);
    interrupt();
    expect(await dinner).toBeLessThan(600_000);
  });

  it('fails to begin when a philosopher exits before sitting down, with its last words', async () => {
    const nodes = [...NODES, 'script:exit-when-seated'];
    table = new DinnerTable(options(), nodes, SCRIPT, false);
    await expect(table.seatEveryone(never)).rejects.toThrow(
      /^philosopher 1 exited before the dinner began \(0\.00 s P1: cannot sit down\)$/,
    );
  });

  it('fails to begin when interrupted while seating', async () => {
    table = new DinnerTable(options(), NODES, SCRIPT, false);
    await expect(table.seatEveryone(Promise.resolve())).rejects.toThrow('interrupted');
  });
});

describe('ExpiryWatch', () => {
  it('notes the forks the cluster freed because their holder’s session expired, and nothing else', async () => {
    const names = [forkLockName('w', 0), forkLockName('w', 1)];
    let now = 100;
    const watch = new ExpiryWatch(NODES, names, () => now);
    const holder = await new FakeLockClient({ nodes: NODES, clientId: 'holder' }).openSession();
    await holder.lock(names[0]!);
    const released = await holder.lock(names[1]!);
    await released.release();
    now = 250;
    fakeLocks.expireHolder(names[0]!, true);
    expect(watch.expiries).toEqual([{ fork: 0, owner: 'holder', atMs: 250 }]);
    expect(watch.failures).toEqual([]);
    await watch.close();
  });
});
