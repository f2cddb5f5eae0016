export interface LatencySummary {
  p50: number;
  p99: number;
  max: number;
}

/** Latencies of one kind of operation, in milliseconds; summarised once at the end. */
export class LatencyRecorder {
  private samplesMs: number[] = [];

  record(latencyMs: number): void {
    this.samplesMs.push(latencyMs);
  }

  get count(): number {
    return this.samplesMs.length;
  }

  reset(): void {
    this.samplesMs = [];
  }

  summary(): LatencySummary | null {
    if (this.samplesMs.length === 0) return null;
    const sorted = Float64Array.from(this.samplesMs).sort();
    const at = (fraction: number) =>
      sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
    return { p50: round(at(0.5)), p99: round(at(0.99)), max: round(sorted[sorted.length - 1]) };
  }
}

function round(ms: number | undefined): number {
  return Math.round((ms ?? Number.NaN) * 100) / 100;
}
