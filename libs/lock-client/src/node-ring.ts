import { formatHostPort, parseHostPort } from '@app/protocol';

/** Normalizes "host:port" (or a bare port) to "host:port"; null when malformed. */
export function normalizeAddress(text: string): string | null {
  const parsed = parseHostPort(text);
  return parsed ? formatHostPort(parsed) : null;
}

/**
 * The ordered node addresses plus the "current node" requests go to first. The current
 * node survives between requests, so after a failover the client sticks to the node that
 * answered instead of probing the dead one again on every call.
 */
export class NodeRing {
  private readonly addresses: string[];
  private index = 0;

  constructor(addresses: readonly string[]) {
    this.addresses = [...new Set(addresses)];
  }

  get current(): string {
    const address = this.addresses[this.index];
    // The index always points into the list, and the client refuses an empty one.
    if (address === undefined)
      throw new Error(`NodeRing index ${this.index} out of ${this.addresses.length}`);
    return address;
  }

  get size(): number {
    return this.addresses.length;
  }

  /** Every address once, the current one first: the order a connection is tried in. */
  inTryOrder(): string[] {
    return [...this.addresses.slice(this.index), ...this.addresses.slice(0, this.index)];
  }

  advance(): void {
    this.index = (this.index + 1) % this.addresses.length;
  }

  /** Makes `address` current, appending it when the list does not know it yet. */
  pointTo(address: string): void {
    const known = this.addresses.indexOf(address);
    if (known >= 0) {
      this.index = known;
      return;
    }
    this.addresses.push(address);
    this.index = this.addresses.length - 1;
  }
}
