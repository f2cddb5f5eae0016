import { isClientId, isLockName, MessagePatterns } from '@app/protocol';
import type {
  CheckLockResponse,
  ClusterStatus,
  LockSummary,
  MessagePattern,
  PreemptLockResponse,
  ReleaseLockResponse,
} from '@app/protocol';
import { setTimeout as sleep } from 'node:timers/promises';
import { firstValueFrom, timeout } from 'rxjs';
import type { AttemptOutcome } from './attempt-outcome';
import { classifyFailure } from './classify-failure';
import { LockClientError } from './lock-client-error';
import { DEFAULT_REQUEST_TIMEOUT_MS } from './lock-client-options';
import type { LockClientOptions } from './lock-client-options';
import { NodeConnections } from './node-connections';
import { NodeRing, normalizeAddress } from './node-ring';

/** Every node is tried at most this many times per request (leader hints included). */
const CYCLES_PER_REQUEST = 2;
/** Pause between full cycles, so a cluster in the middle of an election can settle. */
const BACKOFF_MIN_MS = 100;
const BACKOFF_JITTER_MS = 200;

/**
 * SDK of the lock service over the Nest TCP transport, with failover across nodes.
 * Refusals (`acquired: false`, `released: false`) are answers; failures throw LockClientError.
 */
export class LockClient {
  readonly clientId: string;
  private readonly requestTimeoutMs: number;
  private readonly ring: NodeRing;
  private readonly connections = new NodeConnections();
  private closed = false;

  constructor(options: LockClientOptions) {
    this.ring = new NodeRing(validateNodes(options.nodes));
    if (!isClientId(options.clientId)) {
      throw new Error(`clientId must be a UUID, got ${JSON.stringify(options.clientId)}`);
    }
    this.clientId = options.clientId;
    this.requestTimeoutMs = validateTimeout(options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
  }

  /** The node the next request goes to first. */
  get currentNode(): string {
    return this.ring.current;
  }

  async preempt(name: string): Promise<PreemptLockResponse> {
    requireLockName(name);
    return this.request(MessagePatterns.preempt, { name, clientId: this.clientId });
  }

  async release(name: string): Promise<ReleaseLockResponse> {
    requireLockName(name);
    return this.request(MessagePatterns.release, { name, clientId: this.clientId });
  }

  async check(name: string): Promise<CheckLockResponse> {
    requireLockName(name);
    return this.request(MessagePatterns.check, { name });
  }

  async list(prefix?: string): Promise<LockSummary[]> {
    return this.request(MessagePatterns.list, { prefix });
  }

  async clusterStatus(): Promise<ClusterStatus> {
    return this.request(MessagePatterns.clusterStatus, {});
  }

  /** Closes every connection. Requests still in flight fail; later ones are refused. */
  async close(): Promise<void> {
    this.closed = true;
    this.connections.closeAll();
  }

  /** Sends to the current node, failing over until a node answers or the budget is spent. */
  private async request<T>(pattern: MessagePattern, payload: object): Promise<T> {
    const failures = new Map<string, string>();
    let sinceBackoff = 0;
    // The budget is re-read each turn: a leader hint may have grown the ring.
    for (let attempt = 0; attempt < CYCLES_PER_REQUEST * this.ring.size; attempt++) {
      if (sinceBackoff >= this.ring.size) {
        await sleep(BACKOFF_MIN_MS + Math.random() * BACKOFF_JITTER_MS);
        sinceBackoff = 0;
      }
      // Checked each turn: a retry after close() would open a connection nobody closes.
      if (this.closed) throw new LockClientError('unavailable', 'the LockClient is closed');
      const address = this.ring.current;
      const outcome = await this.attempt<T>(address, pattern, payload);
      switch (outcome.kind) {
        case 'answered':
          return outcome.value;
        case 'rejected':
          throw outcome.error;
        case 'redirected':
          this.ring.pointTo(outcome.leader);
          break;
        case 'node-failed':
          this.ring.advance();
          break;
      }
      failures.set(address, outcome.reason);
      sinceBackoff++;
    }
    throw new LockClientError('unavailable', describeFailures(pattern, failures));
  }

  private async attempt<T>(address: string, pattern: MessagePattern, payload: object): Promise<AttemptOutcome<T>> {
    const proxy = this.connections.get(address);
    try {
      const value = await firstValueFrom(proxy.send<T>(pattern, payload).pipe(timeout(this.requestTimeoutMs)));
      return { kind: 'answered', value };
    } catch (err: unknown) {
      const outcome = classifyFailure(err, this.requestTimeoutMs);
      if (outcome === null) throw err;
      if (outcome.kind === 'node-failed' && outcome.connectionBroken) this.connections.discard(address);
      return outcome;
    }
  }
}

function validateNodes(nodes: readonly string[]): string[] {
  if (!Array.isArray(nodes) || nodes.length === 0) {
    throw new Error('LockClient needs at least one node address ("host:port")');
  }
  return nodes.map((node) => {
    const address = normalizeAddress(node);
    if (address === null) throw new Error(`invalid node address ${JSON.stringify(node)}, expected "host:port"`);
    return address;
  });
}

function validateTimeout(ms: number): number {
  if (!Number.isFinite(ms) || ms <= 0) throw new Error(`requestTimeoutMs must be a positive number, got ${ms}`);
  return ms;
}

/** Checked locally too: an invalid name would be refused by every node anyway. */
function requireLockName(name: string): void {
  if (!isLockName(name)) {
    throw new LockClientError('bad_request', `invalid lock name ${JSON.stringify(name)}: 1-128 of A-Z a-z 0-9 . _ : -`);
  }
}

function describeFailures(pattern: string, failures: ReadonlyMap<string, string>): string {
  const tried = [...failures].map(([address, reason]) => `${address} (${reason})`).join(', ');
  return `no node could serve ${pattern}; tried ${tried}`;
}
