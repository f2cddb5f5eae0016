import { SeededRandom, type CoreFixRevert } from '@app/replicated-log';
import { pickOne } from './random-choice';
import { deriveWorkloadMix, type WorkloadMix } from './workload-mix';

/**
 * join: n1 bootstraps alone and the others join one at a time; static: every server starts
 * with the full membership; reconfig: like join, then members are removed and re-added at random.
 */
export type ClusterMode = 'join' | 'static' | 'reconfig';

/** Which kinds of fault the schedule may inject; all on by default. */
export interface FaultToggles {
  crashes: boolean;
  partitions: boolean;
  dropBursts: boolean;
  /** random drops, duplicates and delays on every message */
  lossyNetwork: boolean;
  /** a crash may lose the writes persisted with mustSync: false since the last sync */
  unsyncedWriteLoss: boolean;
  /**
   * a crashed node comes back with an empty data directory under its old id (join and
   * static modes); the cluster must refuse it a voter's place until it is removed and rejoins
   */
  wipes: boolean;
  /** a server that never answers asks to join; it must stay a learner and be removable */
  ghostJoins: boolean;
}

export interface SimulationInput {
  seed: number;
  /** ticks of the faulty phase; the liveness phase comes on top */
  ticks: number;
  /** derived from the seed when omitted (3 or 5) */
  nodes?: number;
  /** true/false switches every fault kind; an object switches them one by one */
  faults?: boolean | Partial<FaultToggles>;
  /** derived from the seed when omitted */
  mode?: ClusterMode;
  livenessTicks?: number;
  /** derived from the seed when omitted */
  maxEntriesPerMessage?: number;
  /** derived from the seed when omitted */
  maxDelayTicks?: number;
  /**
   * Test-only: core fixes to take back out, to prove a regression seed still catches its
   * bug (see CoreFixRevert). Empty by default; a node process never sets them.
   */
  testOnlyReverts?: readonly CoreFixRevert[];
}

export interface NetworkConditions {
  minDelayTicks: number;
  maxDelayTicks: number;
  dropRate: number;
  duplicateRate: number;
}

/** Everything a run does is a function of these, and these of the seed. */
export interface SimulationOptions {
  seed: number;
  ticks: number;
  livenessTicks: number;
  nodes: number;
  mode: ClusterMode;
  faults: FaultToggles;
  network: NetworkConditions;
  /** probability per tick that the schedule starts a new fault */
  faultRate: number;
  /** expected client proposals per tick */
  proposalRate: number;
  clients: number;
  locks: number;
  /** probability of draining a node's Ready cycle right after an input rather than leaving its persist in flight */
  eagerIdleRate: number;
  heartbeatIntervalTicks: number;
  electionTimeoutMinTicks: number;
  electionTimeoutMaxTicks: number;
  maxEntriesPerMessage: number;
  /** what the simulated clients send, and how often */
  workload: WorkloadMix;
  testOnlyReverts: readonly CoreFixRevert[];
}

const ALL_FAULTS: FaultToggles = {
  crashes: true,
  partitions: true,
  dropBursts: true,
  lossyNetwork: true,
  unsyncedWriteLoss: true,
  wipes: true,
  ghostJoins: true,
};

function resolveFaults(faults: SimulationInput['faults']): FaultToggles {
  if (faults === undefined || faults === true) return { ...ALL_FAULTS };
  if (faults === false) {
    return {
      crashes: false,
      partitions: false,
      dropBursts: false,
      lossyNetwork: false,
      unsyncedWriteLoss: false,
      wipes: false,
      ghostJoins: false,
    };
  }
  return { ...ALL_FAULTS, ...faults };
}

/** An explicit value wins, but the seeded draw happens anyway so the other knobs do not shift. */
function pick<T>(explicit: T | undefined, drawn: T): T {
  return explicit ?? drawn;
}

/** Derives the run's knobs from its seed with a stream separate from the run's own. */
export function deriveOptions(input: SimulationInput): SimulationOptions {
  const seed = input.seed >>> 0;
  // XOR with a constant so the knobs do not correlate with the run's first random draws.
  const random = new SeededRandom(seed ^ 0x5eed5eed);
  const faults = resolveFaults(input.faults);
  const lossy = faults.lossyNetwork;
  return {
    seed,
    ticks: input.ticks,
    livenessTicks: input.livenessTicks ?? 500,
    nodes: pick(input.nodes, random.next() < 0.3 ? 5 : 3),
    mode: pick<ClusterMode>(input.mode, pickOne(random, ['join', 'static', 'reconfig'] as const)),
    faults,
    network: {
      minDelayTicks: 1,
      maxDelayTicks: pick(input.maxDelayTicks, random.intBetween(2, 6)),
      dropRate: lossy ? random.intBetween(0, 8) / 100 : 0,
      duplicateRate: lossy ? random.intBetween(0, 5) / 100 : 0,
    },
    faultRate: random.intBetween(5, 25) / 1000,
    proposalRate: random.intBetween(10, 80) / 100,
    clients: random.intBetween(2, 5),
    locks: random.intBetween(1, 4),
    eagerIdleRate: random.intBetween(10, 90) / 100,
    heartbeatIntervalTicks: 3,
    electionTimeoutMinTicks: 15,
    electionTimeoutMaxTicks: 30,
    // Small batches make a new leader replicate old-term entries apart from its noop (section 5.4.2).
    maxEntriesPerMessage: pick(input.maxEntriesPerMessage, pickOne(random, [2, 8, 8, 256])),
    // Drawn last, so that adding it left every earlier knob of a seed as it was.
    workload: deriveWorkloadMix(random),
    testOnlyReverts: [...(input.testOnlyReverts ?? [])],
  };
}
