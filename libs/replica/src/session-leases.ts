/**
 * When the leader last heard a keepalive for each session. Volatile and leader-only:
 * keepalives are not log entries (they would cost an fsync each). A new leader starts
 * every session's TTL afresh at the first look after its election, so no session ends
 * because of a failover, and the TTL stays a lower bound (features.md section 2.1).
 */
export class SessionLeases {
  private readonly lastKeepAliveMs = new Map<string, number>();
  private term = -1;

  /** Forgets everything when leadership moved to a new term. */
  observeTerm(term: number): void {
    if (term !== this.term) {
      this.term = term;
      this.lastKeepAliveMs.clear();
    }
  }

  touch(sessionId: string, nowMs: number): void {
    this.lastKeepAliveMs.set(sessionId, nowMs);
  }

  lastKeepAlive(sessionId: string, nowMs: number): number {
    let last = this.lastKeepAliveMs.get(sessionId);
    if (last === undefined) {
      last = nowMs;
      this.lastKeepAliveMs.set(sessionId, last);
    }
    return last;
  }

  forget(sessionId: string): void {
    this.lastKeepAliveMs.delete(sessionId);
  }
}
