import type { LockOutcome } from './lock-outcome';

interface Remembered {
  /** what was asked (operation, lock, session), to tell a retry from a reused id */
  request: string;
  outcome: LockOutcome;
}

/** How many recent requests are remembered per client, and how many clients. */
const REQUESTS_PER_CLIENT = 64;
const CLIENTS = 10_000;

/**
 * The outcomes of clients' recent requests by (clientId, requestId), so that a request
 * retried after a lost answer or a failover is applied once and answered the same
 * (after TigerBeetle's client sessions). Eviction depends only on the order
 * of applied entries, so every node remembers the same requests.
 */
export class ClientRequests {
  private readonly byClient = new Map<string, Map<number, Remembered>>();

  /**
   * The earlier outcome of this very request. A requestId reused for a different
   * request (another lock or operation) is not a retry: it gets no earlier outcome.
   */
  outcomeOf(clientId: string, requestId: number, request: string): LockOutcome | undefined {
    const remembered = this.byClient.get(clientId)?.get(requestId);
    return remembered?.request === request ? remembered.outcome : undefined;
  }

  /** Least recently used client first, each client's requests oldest first. */
  exportState(): [string, [number, string, LockOutcome][]][] {
    return [...this.byClient].map(([clientId, requests]) => [
      clientId,
      [...requests].map(([requestId, { request, outcome }]) => [requestId, request, outcome]),
    ]);
  }

  importState(state: [string, [number, string, LockOutcome][]][]): void {
    this.byClient.clear();
    for (const [clientId, requests] of state)
      this.byClient.set(
        clientId,
        new Map(requests.map(([requestId, request, outcome]) => [requestId, { request, outcome }])),
      );
  }

  remember(clientId: string, requestId: number, request: string, outcome: LockOutcome): void {
    const requests = this.byClient.get(clientId) ?? new Map<number, Remembered>();
    // Re-inserting moves the client to the most recently used end.
    this.byClient.delete(clientId);
    this.byClient.set(clientId, requests);
    requests.set(requestId, { request, outcome });
    if (requests.size > REQUESTS_PER_CLIENT) requests.delete(requests.keys().next().value!);
    if (this.byClient.size > CLIENTS) this.byClient.delete(this.byClient.keys().next().value!);
  }
}
