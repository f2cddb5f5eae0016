/**
 * When the leader last heard a keepalive for each session, on a monotonic clock (a wall
 * clock step must not end sessions early). Volatile and leader-only: keepalives are not
 * log entries (they would cost an fsync each). A new leader starts every session's TTL
 * afresh, `graceMs` in the future, at its first look after the election: the deposed
 * leader may have acknowledged keepalives until it noticed, and the TTL must stay a
 * lower bound after the last acknowledged one (as Consul renews TTLs on leader failover).
 */
export class SessionLeases {
  private readonly lastKeepAliveMs = new Map<string, number>();
  private term = -1;

  constructor(private readonly graceMs: number) {}

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
      last = nowMs + this.graceMs;
      this.lastKeepAliveMs.set(sessionId, last);
    }
    return last;
  }

  forget(sessionId: string): void {
    this.lastKeepAliveMs.delete(sessionId);
  }
}
