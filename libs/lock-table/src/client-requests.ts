import type { LockOutcome } from './lock-outcome';

/** How many recent requests are remembered per client, and how many clients. */
const REQUESTS_PER_CLIENT = 64;
const CLIENTS = 10_000;

/**
 * The outcomes of clients' recent requests by (clientId, requestId), so that a request
 * retried after a lost answer or a failover is applied once and answered the same
 * (TigerBeetle's client sessions, research/style.md). Eviction depends only on the order
 * of applied entries, so every node remembers the same requests.
 */
export class ClientRequests {
  private readonly byClient = new Map<string, Map<number, LockOutcome>>();

  outcomeOf(clientId: string, requestId: number): LockOutcome | undefined {
    return this.byClient.get(clientId)?.get(requestId);
  }

  remember(clientId: string, requestId: number, outcome: LockOutcome): void {
    const requests = this.byClient.get(clientId) ?? new Map<number, LockOutcome>();
    // Re-inserting moves the client to the most recently used end.
    this.byClient.delete(clientId);
    this.byClient.set(clientId, requests);
    requests.set(requestId, outcome);
    if (requests.size > REQUESTS_PER_CLIENT) requests.delete(requests.keys().next().value!);
    if (this.byClient.size > CLIENTS) this.byClient.delete(this.byClient.keys().next().value!);
  }
}
