import type { NodeId, Term } from '@app/replicated-log';
import type { NetworkStats } from './simulated-network';
import type { SimulationOptions } from './simulation-options';
import type { WorkloadCounts } from './workload-counts';

export interface SimulationStats {
  /** distinct terms that had a leader */
  leaderTerms: number;
  proposals: number;
  acknowledged: number;
  committedEntries: number;
  crashes: number;
  /** crashes after which the node came back with an empty data directory */
  wipes: number;
  /** joins of servers that never answered */
  ghostJoins: number;
  partitions: number;
  dropBursts: number;
  unsyncedWritesLost: number;
  network: NetworkStats;
  /** what the committed log held, by kind (see WorkloadCounts) */
  workload: WorkloadCounts;
}

export interface SimulationReport {
  seed: number;
  /** everything derived from the seed, so a report alone says what the run did */
  options: SimulationOptions;
  ticksRun: number;
  /** the liveness phase's length: nominal, or longer while a backlog was still being worked off */
  livenessTicksRun: number;
  leaderId: NodeId;
  term: Term;
  commitIndex: number;
  locksHeld: number;
  stats: SimulationStats;
}
