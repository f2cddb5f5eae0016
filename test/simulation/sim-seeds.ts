/**
 * Seed selection for the simulation specs. The base seed comes from SIM_SEED when set
 * (to replay a failure), otherwise from today's date so that each day explores new seeds
 * while a given day stays reproducible.
 */
export interface SeedPlan {
  seeds: number[];
  ticks: number;
  source: string;
}

function envInt(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`${name} must be a non-negative integer, got ${raw}`);
  return value;
}

export function dateSeed(now: Date): number {
  return now.getUTCFullYear() * 10000 + (now.getUTCMonth() + 1) * 100 + now.getUTCDate();
}

export function planSeeds(defaultCount: number, defaultTicks: number): SeedPlan {
  const replay = envInt('SIM_SEED');
  const ticks = envInt('SIM_TICKS') ?? defaultTicks;
  // Replaying one seed is the common case; SIM_COUNT widens it into a sweep from that base.
  const count = envInt('SIM_COUNT') ?? (replay === undefined ? defaultCount : 1);
  // The date seed spreads over the uint32 range so that successive days do not overlap.
  const base = replay ?? Math.imul(dateSeed(new Date()), 2654435761) >>> 0;
  const seeds = Array.from({ length: count }, (_, i) => (base + i) >>> 0);
  const source = replay === undefined ? `date ${new Date().toISOString().slice(0, 10)}` : 'SIM_SEED';
  return { seeds, ticks, source };
}

export function replayCommand(seed: number, ticks: number, defaultTicks: number): string {
  const ticksPart = ticks === defaultTicks ? '' : ` SIM_TICKS=${ticks}`;
  return `SIM_SEED=${seed}${ticksPart} npx jest test/simulation`;
}
