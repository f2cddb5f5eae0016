/** Randomness is an input: production seeds it once, the simulator replays a seed. */
export interface Random {
  /** an integer in [min, max] */
  intBetween(min: number, max: number): number;
  /** a float in [0, 1) */
  next(): number;
}

/** mulberry32: small, fast and good enough for election jitter and simulation. */
export class SeededRandom implements Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  intBetween(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
}
