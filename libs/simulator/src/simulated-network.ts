import type { NodeId, PeerMessage, Random } from '@app/replicated-log';
import type { NetworkConditions } from './simulation-options';

interface InFlight<C> {
  deliverAt: number;
  /** ties broken by send order, so delivery is a pure function of the seed */
  sequence: number;
  message: PeerMessage<C>;
}

export interface NetworkStats {
  sent: number;
  delivered: number;
  dropped: number;
  duplicated: number;
}

/**
 * Messages in flight, each with a delivery tick. Random delays reorder them; drops,
 * duplicates, partitions and down nodes lose them. Everything random comes from `random`.
 */
export class SimulatedNetwork<C> {
  private inFlight: InFlight<C>[] = [];
  private sequence = 0;
  private now = 0;
  /** when set, a message crosses only within one group */
  private groups: NodeId[][] | null = null;
  private readonly down = new Set<NodeId>();
  private burstDropRate = 0;
  readonly stats: NetworkStats = { sent: 0, delivered: 0, dropped: 0, duplicated: 0 };

  constructor(
    private readonly random: Random,
    private conditions: NetworkConditions,
  ) {}

  setTick(tick: number): void {
    this.now = tick;
  }

  setConditions(conditions: NetworkConditions): void {
    this.conditions = conditions;
  }

  /** A burst of extra loss on top of the base drop rate; 0 ends it. */
  setBurstDropRate(rate: number): void {
    this.burstDropRate = rate;
  }

  send(message: PeerMessage<C>): void {
    this.stats.sent++;
    if (!this.connected(message.from, message.to) || this.random.next() < this.dropRate()) {
      this.stats.dropped++;
      return;
    }
    this.enqueue(message);
    if (this.random.next() < this.conditions.duplicateRate) {
      this.stats.duplicated++;
      this.enqueue(message);
    }
  }

  /** Removes and returns the messages due by now that may still arrive. */
  takeDue(): PeerMessage<C>[] {
    const due: InFlight<C>[] = [];
    const later: InFlight<C>[] = [];
    for (const item of this.inFlight) (item.deliverAt <= this.now ? due : later).push(item);
    this.inFlight = later;
    due.sort((a, b) => a.deliverAt - b.deliverAt || a.sequence - b.sequence);
    const deliverable: PeerMessage<C>[] = [];
    for (const { message } of due) {
      // A partition or crash that began while the message was in flight loses it too.
      if (this.connected(message.from, message.to) && !this.down.has(message.to)) {
        deliverable.push(message);
        this.stats.delivered++;
      } else {
        this.stats.dropped++;
      }
    }
    return deliverable;
  }

  partition(groups: NodeId[][]): void {
    this.groups = groups.map((group) => [...group]);
  }

  heal(): void {
    this.groups = null;
  }

  get partitioned(): boolean {
    return this.groups !== null;
  }

  describePartition(): string {
    return this.groups === null ? 'none' : this.groups.map((g) => `{${g.join(',')}}`).join(' | ');
  }

  setDown(id: NodeId, down: boolean): void {
    if (down) this.down.add(id);
    else this.down.delete(id);
  }

  get inFlightCount(): number {
    return this.inFlight.length;
  }

  private dropRate(): number {
    return Math.max(this.conditions.dropRate, this.burstDropRate);
  }

  private connected(from: NodeId, to: NodeId): boolean {
    if (this.groups === null) return true;
    return this.groups.some((group) => group.includes(from) && group.includes(to));
  }

  private enqueue(message: PeerMessage<C>): void {
    const delay = this.random.intBetween(this.conditions.minDelayTicks, this.conditions.maxDelayTicks);
    // A copy, as a real network would deliver: no object is shared between two nodes.
    this.inFlight.push({
      deliverAt: this.now + delay,
      sequence: this.sequence++,
      message: structuredClone(message),
    });
  }
}
