import type { Logger } from '@nestjs/common';

const MAX_KEYS = 64;

/**
 * At most one warning per key per interval, so that a flood of bad messages cannot flood
 * the log; the next line says how many were left out in between.
 */
export class RateLimitedLog {
  private readonly last = new Map<string, { atMs: number; suppressed: number }>();

  constructor(
    private readonly logger: Pick<Logger, 'warn'>,
    private readonly intervalMs: number,
    private readonly nowMs: () => number = Date.now,
  ) {}

  warn(key: string, text: string): void {
    const now = this.nowMs();
    const entry = this.last.get(key);
    if (entry !== undefined && now - entry.atMs < this.intervalMs) {
      entry.suppressed++;
      return;
    }
    const more =
      entry && entry.suppressed > 0 ? ` (${entry.suppressed} more like it since the last line)` : '';
    this.logger.warn(`${text}${more}`);
    if (entry === undefined && this.last.size >= MAX_KEYS) this.last.clear();
    this.last.set(key, { atMs: now, suppressed: 0 });
  }
}
