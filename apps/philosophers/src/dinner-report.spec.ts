import { CommanderError } from 'commander';
import { DinnerLog } from './dinner-log';
import { stallLimitMs, summarize } from './dinner-summary';
import type { DinnerSetup } from './dinner-summary';
import type { FaultReport } from './fault-report';
import { mealsChartSvg } from './meals-chart';
import { progressLine } from './progress-line';
import { reportText } from './report-text';
import { parseTableOptions } from './table-options';

const SETUP: DinnerSetup = {
  philosophers: 3,
  seconds: 2,
  eatMs: 100,
  thinkMs: 10,
  sessionTtlMs: 3000,
  runId: 'run1',
  servers: ['127.0.0.1:8001'],
  embeddedCluster: false,
};

/** Philosopher `p` eats from `startMs` to `startMs + 100` with forks p and p+1 (mod 3), tokens as given. */
function meal(log: DinnerLog, p: number, startMs: number, tokens: [number, number]): void {
  const forks = [p, (p + 1) % 3];
  forks.forEach((fork, i) => log.took(p, { fork, fencingToken: tokens[i] ?? 0, waitMs: 5 }, startMs));
  log.startMeal(
    p,
    forks.map((fork, i) => ({ fork, fencingToken: tokens[i] ?? 0, waitMs: 5 })),
    'n1',
    startMs,
  );
  log.endMeal(p, startMs + 100);
  forks.forEach((fork) => log.released(p, fork, 100));
}

describe('the dinner log', () => {
  it('counts finished meals, tracks who eats and who holds which fork', () => {
    const log = new DinnerLog(3);
    log.sitDown(0, 'n1');
    log.took(0, { fork: 0, fencingToken: 1, waitMs: 3 }, 10);
    log.took(0, { fork: 1, fencingToken: 2, waitMs: 4 }, 11);
    expect(log.forksHeldBy(0)).toEqual([0, 1]);
    log.startMeal(0, [{ fork: 0, fencingToken: 1, waitMs: 3 }], 'n2', 12);
    expect(log.isEating(0)).toBe(true);
    expect(log.nodeChanges).toEqual([
      { philosopher: 0, node: 'n1', atMs: 0 },
      { philosopher: 0, node: 'n2', atMs: 12 },
    ]);
    log.endMeal(0, 50);
    log.endMeal(0, 60);
    expect(log.snapshot()).toEqual({ meals: [1, 0, 0], seated: [true, true, true] });
    log.released(0, 0, 40);
    // A release by someone who does not hold the fork leaves its holder alone.
    log.released(2, 1, 40);
    expect(log.forkHolder).toEqual([null, 0, null]);
    expect(log.forkWaitsMs[0]).toEqual([3]);
    expect(log.forkHoldsMs[1]).toEqual([40]);
  });

  it('ends a meal unfinished when its philosopher leaves, and bounds its troubles', () => {
    const log = new DinnerLog(2);
    log.startMeal(1, [], 'n1', 5);
    log.leave(1, 9);
    expect(log.isEating(1)).toBe(false);
    expect(log.meals[0]).toMatchObject({ finished: false, endMs: 9 });
    expect(log.snapshot()).toEqual({ meals: [0, 0], seated: [true, false] });
    for (let i = 0; i < 250; i++) log.trouble(0, `lost ${i}`, 1500);
    expect(log.troubles).toHaveLength(200);
    expect(log.troubles[0]).toBe('1.50 s P0: lost 0');
  });
});

describe('the dinner summary', () => {
  it('computes the figures of a fair dinner with no violations', () => {
    const log = new DinnerLog(3);
    for (let round = 0; round < 4; round++) {
      for (let p = 0; p < 3; p++)
        meal(log, p, round * 300 + p * 100, [round * 6 + 2 * p + 1, round * 6 + 2 * p + 2]);
    }
    const summary = summarize(SETUP, log, 1200, [], false);
    expect(summary).toMatchObject({
      meals: [4, 4, 4],
      totalMeals: 12,
      mealsPerSecond: 10,
      idealMealsPerSecond: 10,
      maxMinRatio: 1,
      jainIndex: 1,
      overlaps: 0,
      deadlock: false,
      starvation: false,
      violations: [],
      elapsedSeconds: 1.2,
      interrupted: false,
    });
    expect(summary.forks.map((f) => f.name)).toHaveLength(3);
    expect(summary.forks[0]).toMatchObject({ meals: 8, holdMs: { p50: 100 }, waitMs: { p50: 5 } });
    const text = reportText(summary);
    expect(text).toContain('P0');
    expect(text).toContain('result: OK, no violations');
    expect(text).toContain('fencing tokens     strictly increasing on every fork');
    const svg = mealsChartSvg(summary);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('</svg>');
  });

  it('reports overlapping meals, token regressions, deadlock and a killed philosopher', () => {
    const log = new DinnerLog(3);
    // P0 and P1 share fork 1 and eat at the same time; fork 1's token goes backwards.
    meal(log, 0, 0, [1, 5]);
    meal(log, 1, 50, [3, 2]);
    const faults: FaultReport[] = [
      {
        type: 'kill-philosopher',
        philosopher: 2,
        pid: 42,
        atMs: 100,
        wasEating: false,
        forksHeld: [2],
        forksStuckMs: [{ fork: 2, stuckMs: null, expiredAfterMs: 3000 }],
        mealsAfterFreed: [0, 0, 0],
      },
      {
        type: 'kill-node',
        node: 'n1',
        address: '127.0.0.1:8001',
        wasLeader: true,
        atMs: 150,
        moved: [{ philosopher: 0, to: 'n2' }],
        firstMealAfterMs: null,
        mealsAfter: [0, 0, 0],
      },
    ];
    const summary = summarize(SETUP, log, 60_000, faults, true);
    expect(summary.overlaps).toBe(1);
    expect(summary.tokenRegressions).toBeGreaterThanOrEqual(1);
    expect(summary.deadlock).toBe(true);
    expect(summary.starvation).toBe(true);
    expect(summary.violations).toEqual(
      expect.arrayContaining([expect.stringMatching(/^overlap: P0 ate/), expect.stringMatching(/^deadlock/)]),
    );
    // Philosopher 2 was killed before it ate: the ratio counts only those who stayed.
    expect(summary.maxMinRatio).toBe(1);
    const text = reportText(summary);
    expect(text).toContain('(killed)');
    expect(text).toContain('overlap: P0');
    expect(text).toMatch(/n1/);
    expect(mealsChartSvg(summary)).toContain('</svg>');
  });

  it('puts the stall limit above session expiry and a few meals', () => {
    expect(stallLimitMs(SETUP)).toBe(10_000);
    expect(stallLimitMs({ ...SETUP, sessionTtlMs: 60_000 })).toBe(122_200);
  });
});

describe('the progress line', () => {
  it('shows meals, rate, who eats and who left', () => {
    const log = new DinnerLog(3);
    meal(log, 0, 0, [1, 2]);
    log.startMeal(1, [], 'n1', 200);
    log.leave(2, 300);
    expect(progressLine(log, 2000, 30)).toBe('  2.0 s / 30 s  meals 1 (0.5/s)  [1 0 0]  eating: P1  left: 1');
    expect(progressLine(new DinnerLog(13), 0, 30)).toBe(
      '  0.0 s / 30 s  meals 0 (0.0/s)  min 0 max 0  eating: -',
    );
  });
});

describe('the table options', () => {
  const parse = (...args: string[]) => parseTableOptions(['node', 'philosophers', ...args]);

  it('has defaults and reads every option', () => {
    expect(parse()).toEqual({
      philosophers: 5,
      seconds: 30,
      eatMs: 500,
      thinkMs: 100,
      servers: [],
      sessionTtlMs: 3000,
      forkWaitMs: 10_000,
      chart: undefined,
      json: undefined,
      killPhilosopherAfterS: undefined,
      killNodeAfterS: undefined,
    });
    expect(
      parse(
        '--philosophers',
        '7',
        '--seconds',
        '2.5',
        '--servers',
        ' 127.0.0.1:8001, 127.0.0.1:8002 ,',
        '--kill-philosopher-after',
        '1',
        '--chart',
        'meals.svg',
      ),
    ).toMatchObject({
      philosophers: 7,
      seconds: 2.5,
      servers: ['127.0.0.1:8001', '127.0.0.1:8002'],
      killPhilosopherAfterS: 1,
      chart: 'meals.svg',
    });
  });

  it.each([
    [['--philosophers', '1']],
    [['--philosophers', '2.5']],
    [['--seconds', '0']],
    [['--seconds', 'soon']],
    [['--servers', ',']],
    [['--servers', 'nohost']],
    [['--session-ttl-ms', '999']],
    [['--seconds', '5', '--kill-philosopher-after', '5']],
    [['--seconds', '5', '--kill-node-after', '6']],
    [['--kill-node-after', '1', '--servers', '127.0.0.1:8001']],
  ])('refuses %j with a usage error', (args) => {
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(() => parse(...args)).toThrow(CommanderError);
    } finally {
      stderr.mockRestore();
    }
  });
});
