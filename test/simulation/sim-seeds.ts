import { randomInt } from 'node:crypto';

/**
 * Seed selection for the simulation sweep. Without SIM_SEED a run sweeps two stretches of
 * seeds: a fixed one, the same in every run, so a regression there fails every time; and a
 * fresh one drawn from this run's own randomness and printed at the start, so runs keep
 * exploring new seeds. SIM_SEED replays one seed (SIM_COUNT widens it into a sweep from there).
 */
export interface SeedPlan {
  seeds: number[];
  ticks: number;
  source: string;
  /** the seed SIM_SEED asked to replay, if any */
  replay?: number;
}

/** The first seed of the stretch every run sweeps. */
export const FIXED_BASE_SEED = 2680735251;

function envInt(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`${name} must be a non-negative integer, got ${raw}`);
  return value;
}

function stretch(base: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => (base + i) >>> 0);
}

export function planSeeds(defaultCount: number, defaultTicks: number): SeedPlan {
  const replay = envInt('SIM_SEED');
  const ticks = envInt('SIM_TICKS') ?? defaultTicks;
  if (replay !== undefined) {
    const count = envInt('SIM_COUNT') ?? 1;
    return { seeds: stretch(replay, count), ticks, source: `SIM_SEED ${replay}`, replay };
  }
  const count = envInt('SIM_COUNT') ?? defaultCount;
  const fixedCount = Math.ceil(count / 2);
  const freshBase = randomInt(2 ** 32 - count);
  const seeds = [...stretch(FIXED_BASE_SEED, fixedCount), ...stretch(freshBase, count - fixedCount)];
  const source = `fixed base ${FIXED_BASE_SEED} x ${fixedCount}, fresh base ${freshBase} x ${count - fixedCount}`;
  return { seeds, ticks, source };
}

export function replayCommand(seed: number, ticks: number, defaultTicks: number): string {
  const ticksPart = ticks === defaultTicks ? '' : ` SIM_TICKS=${ticks}`;
  return `SIM_SEED=${seed}${ticksPart} npx jest test/simulation`;
}
