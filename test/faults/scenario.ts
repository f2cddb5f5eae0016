import type { SeededRandom } from '@app/workload';
import type { FaultCluster, FaultNode } from './fault-cluster';
import type { FaultTimeline } from './fault-timeline';
import type { LinkCutter } from './loopback-lab';

/** What a nemesis can reach while the workload runs. */
export interface ScenarioContext {
  cluster: FaultCluster;
  /** cuts links: nftables between namespaces, or the loopback proxies where namespaces cannot be made */
  lab: LinkCutter | null;
  rng: SeededRandom;
  timeline: FaultTimeline;
  /** waits `ms`, or less if the traffic phase ends first */
  pause(ms: number): Promise<void>;
  /** true while the traffic phase lasts */
  active(): boolean;
  /** the agreed leader now (null while there is none) */
  leader(): Promise<FaultNode | null>;
  /** a temp folder of this run, kept on failure */
  dir: string;
  /** anomalies a scenario's own checks found (e.g. the fenced resource's) */
  violations: string[];
}

export interface Scenario {
  id: string;
  title: string;
  /** in the core set that `npm run test:faults` runs; the rest run with `-- --all` */
  core: boolean;
  /** injects no fault by design (the baseline), so the "a fault was injected" gate does not apply */
  faultless?: boolean;
  /** cuts links: with namespaces by nftables, else through the loopback fault proxies */
  needsNamespaces?: boolean;
  /** mounts need root; in loopback mode such scenarios are skipped, and say so */
  needsRoot?: boolean;
  /** extra environment of every node (the negative controls' switches) */
  env?: Record<string, string>;
  /** length of the traffic phase; faults start 4 s in */
  trafficMs?: number;
  nemesis(ctx: ScenarioContext): Promise<void>;
  /** negative control: the run must find an anomaly of this kind */
  expectAnomaly?: string;
  /** cleanup the nemesis needs after the heal (e.g. unmount a tmpfs) */
  cleanup?(ctx: ScenarioContext): void;
}
