/**
 * Whether a majority has recently confirmed that this node leads, measured on the
 * monotonic clock the driver injects. Check-quorum counts ticks, and a stalled process
 * (SIGSTOP, a long pause) counts none, so after it resumes the core may still believe it
 * leads. A confirmation is a ReadIndex round (Raft thesis 6.4); it proves leadership from
 * the moment the round started, and no other leader can be elected before the followers'
 * (minimum) election timeout has run from that moment (thesis 6.4.1, the leader lease).
 */
export class LeaderLease {
  private term = -1;
  /** when the latest confirmed round started */
  private sinceMs = Number.NEGATIVE_INFINITY;
  private renewal: { term: number; done: Promise<void> } | null = null;

  /**
   * @param durationMs the followers' minimum election timeout
   * @param nowMs a monotonic clock
   * @param confirmRound runs one ReadIndex round; true when a majority confirmed it
   */
  constructor(
    private readonly durationMs: number,
    private readonly nowMs: () => number,
    private readonly confirmRound: () => Promise<boolean>,
  ) {}

  /** Leadership in `term` was confirmed within the last `durationMs`. */
  holds(term: number): boolean {
    return term === this.term && this.nowMs() - this.sinceMs < this.durationMs;
  }

  /**
   * Whether the lease holds, running a round first when it does not. A lease past half
   * its length is renewed in the background, so a steady flow of callers rarely waits.
   */
  async confirm(term: number): Promise<boolean> {
    if (this.holds(term)) {
      if (this.nowMs() - this.sinceMs >= this.durationMs / 2) void this.renew(term);
      return true;
    }
    await this.renew(term);
    return this.holds(term);
  }

  /** One round at a time per term; callers arriving meanwhile share it. */
  private renew(term: number): Promise<void> {
    if (this.renewal?.term !== term) {
      const done = this.round(term).finally(() => {
        if (this.renewal?.done === done) this.renewal = null;
      });
      this.renewal = { term, done };
    }
    return this.renewal.done;
  }

  private async round(term: number): Promise<void> {
    const startedMs = this.nowMs();
    if (!(await this.confirmRound())) return;
    if (term > this.term || (term === this.term && startedMs > this.sinceMs)) {
      this.term = term;
      this.sinceMs = startedMs;
    }
  }
}
