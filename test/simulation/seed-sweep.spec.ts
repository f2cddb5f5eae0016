import { runSimulation } from '@app/simulator';
import { planSeeds, replayCommand } from './sim-seeds';

const DEFAULT_SEEDS = 40;
const DEFAULT_TICKS = 2000;
const plan = planSeeds(DEFAULT_SEEDS, DEFAULT_TICKS);

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
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new Error(`${message}\nreplay: ${replayCommand(seed, plan.ticks, DEFAULT_TICKS)}`, {
          cause: error,
        });
      }
    },
    60_000,
  );
});
