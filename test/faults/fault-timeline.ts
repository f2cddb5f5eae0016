import { performance } from 'node:perf_hooks';

export interface FaultEvent {
  t: number;
  fault: string;
  targets: string[];
  detail?: string;
}

/** What the nemesis did, in order, with counts by kind for the report. */
export class FaultTimeline {
  readonly events: FaultEvent[] = [];
  readonly counts: Record<string, number> = {};

  record(fault: string, targets: string[], detail?: string): void {
    this.events.push({ t: Math.round(performance.now()), fault, targets, detail });
    this.counts[fault] = (this.counts[fault] ?? 0) + 1;
  }

  /** Faults that actually break something (heals and restarts do not count). */
  injected(): number {
    return this.events.filter((e) => !['heal', 'restart', 'resume', 'remove-filler'].includes(e.fault))
      .length;
  }
}
