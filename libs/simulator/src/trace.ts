/**
 * The last events of a run, kept so that a failure message shows what led up to it
 * without the cost of logging every tick of every passing run.
 */
export class Trace {
  private readonly lines: string[] = [];
  private tick = 0;

  constructor(private readonly capacity = 80) {}

  setTick(tick: number): void {
    this.tick = tick;
  }

  add(event: string): void {
    this.lines.push(`t=${this.tick} ${event}`);
    if (this.lines.length > this.capacity) this.lines.shift();
  }

  recent(): string[] {
    return [...this.lines];
  }
}
