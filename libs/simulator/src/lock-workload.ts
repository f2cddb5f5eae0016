import type { LockCommand } from '@app/lock-table';
import type { Random } from '@app/replicated-log';

/** probability per tick of a burst of proposals */
const BURST_RATE = 0.01;

/**
 * Simulated clients: a few of them contending for a few locks, so that grants, refusals
 * and releases of someone else's lock all happen often.
 */
export class LockWorkload {
  constructor(
    private readonly random: Random,
    private readonly clients: number,
    private readonly locks: number,
    /** expected commands per tick; may exceed 1 */
    private readonly rate: number,
  ) {}

  commandsForTick(): LockCommand[] {
    const whole = Math.floor(this.rate);
    let count = whole + (this.random.next() < this.rate - whole ? 1 : 0);
    // Now and then a burst, to fill the leader's pipelines past maxEntriesPerMessage and its in-flight cap.
    if (this.random.next() < BURST_RATE) count += this.random.intBetween(8, 48);
    const commands: LockCommand[] = [];
    for (let i = 0; i < count; i++) commands.push(this.randomCommand());
    return commands;
  }

  private randomCommand(): LockCommand {
    const name = `lock-${this.random.intBetween(1, this.locks)}`;
    const clientId = `client-${this.random.intBetween(1, this.clients)}`;
    // Slightly more preempts than releases keeps most locks held, so contention is the norm.
    return this.random.next() < 0.55
      ? { type: 'preempt', name, clientId }
      : { type: 'release', name, clientId };
  }
}
