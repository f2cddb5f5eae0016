import { runSimulation, type WorkloadCounts } from '@app/simulator';
import { planSeeds, replayCommand } from './sim-seeds';
import { totalCounts, workloadTable } from './workload-table';

const DEFAULT_SEEDS = 40;
const DEFAULT_TICKS = 2000;
const plan = planSeeds(DEFAULT_SEEDS, DEFAULT_TICKS);

/**
 * The fewest of each kind one seed of the default sweep must average: the sweep fails if
 * a kind's total falls below this times its seed count, so the workload cannot silently
 * stop sending a kind. Each is about a quarter of what the default sweep averaged when it
 * was set (the README's table shows the averages).
 */
const MIN_PER_SEED: Record<keyof WorkloadCounts, number> = {
  sessionsOpened: 12,
  keepAlivesAnswered: 35,
  keepAlivesRefused: 2,
  sessionsClosed: 8,
  sessionsExpired: 5,
  sessionLocksFreed: 2,
  sessionPreempts: 25,
  ttlPreempts: 40,
  ttlExpiries: 3,
  waitingPreempts: 40,
  waitsQueued: 20,
  waitsGranted: 10,
  waitsExpired: 9,
  waitsEndedWithSession: 1,
  retries: 25,
  nonOwnerReleases: 60,
  grants: 12,
  releases: 18,
};

const perSeed = new Map<number, WorkloadCounts>();

describe(`simulation seed sweep (${plan.seeds.length} seeds: ${plan.source}; ${plan.ticks} ticks)`, () => {
  beforeAll(() => {
    process.stdout.write(
      `simulation sweep: ${plan.seeds.length} seeds (${plan.source}) x ${plan.ticks} ticks\n`,
    );
  });

  it.each(plan.seeds)(
    'seed %i keeps every safety and liveness property',
    async (seed) => {
      try {
        const report = await runSimulation({ seed, ticks: plan.ticks });
        expect(report.stats.leaderTerms).toBeGreaterThan(0);
        perSeed.set(seed, report.stats.workload);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new Error(`${message}\nreplay: ${replayCommand(seed, plan.ticks, DEFAULT_TICKS)}`, {
          cause: error,
        });
      }
    },
    60_000,
  );

  // A replayed seed (SIM_SEED) is one run, not a sweep: the minimums hold only over many seeds.
  const sweeping = plan.replay === undefined && plan.ticks === DEFAULT_TICKS;
  (sweeping ? it : it.skip)(
    'exercised every kind of command and event at least the stated number of times',
    () => {
      process.stdout.write(`workload over ${perSeed.size} seeds:\n${workloadTable(perSeed)}\n`);
      const totals = totalCounts(perSeed);
      const short = Object.entries(MIN_PER_SEED)
        .map(([kind, min]) => ({
          kind,
          total: totals[kind] ?? 0,
          required: Math.ceil(min * plan.seeds.length),
        }))
        .filter(({ total, required }) => total < required);
      expect(short).toEqual([]);
    },
  );
});
