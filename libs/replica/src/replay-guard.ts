import type { PeerAuth } from './peer-envelope';

/** Sequence numbers remembered per sender: later ones may overtake earlier ones by this much. */
const WINDOW = 1024;
/** Senders remembered; only authenticated senders reach the guard, so this is the cluster and its joiners. */
const MAX_SENDERS = 256;

interface SenderState {
  epoch: string;
  epochStartMs: number;
  highestSeq: number;
  /** slot seq % WINDOW holds seq once seen */
  seen: Float64Array;
}

export type ReplayVerdict = 'fresh' | 'replayed' | 'stale';

/**
 * Refuses authentic messages that were already delivered (a replay) or that are too old:
 * per sender, the latest epoch and a sliding window of sequence numbers (as IPsec's
 * anti-replay window does), and a bound on the age of a message against this node's
 * clock so that a receiver that restarted and forgot its windows is not fooled by an old
 * capture. A later epoch of a sender (it restarted) replaces its earlier one.
 */
export class ReplayGuard {
  private readonly senders = new Map<string, SenderState>();

  constructor(
    private readonly maxAgeMs: number,
    private readonly nowMs: () => number = Date.now,
  ) {}

  check(sender: string, auth: PeerAuth): ReplayVerdict {
    if (Math.abs(this.nowMs() - auth.sentAtMs) > this.maxAgeMs) return 'stale';
    const state = this.senders.get(sender);
    if (state === undefined || (auth.epoch !== state.epoch && auth.epochStartMs > state.epochStartMs)) {
      this.remember(sender, auth);
      return 'fresh';
    }
    if (auth.epoch !== state.epoch) return 'stale';
    return this.slide(state, auth.seq);
  }

  private slide(state: SenderState, seq: number): ReplayVerdict {
    if (seq <= state.highestSeq - WINDOW || state.seen[seq % WINDOW] === seq) return 'replayed';
    state.seen[seq % WINDOW] = seq;
    state.highestSeq = Math.max(state.highestSeq, seq);
    return 'fresh';
  }

  private remember(sender: string, auth: PeerAuth): void {
    this.senders.delete(sender);
    if (this.senders.size >= MAX_SENDERS) {
      const oldest = this.senders.keys().next().value;
      if (oldest !== undefined) this.senders.delete(oldest);
    }
    const seen = new Float64Array(WINDOW);
    seen[auth.seq % WINDOW] = auth.seq;
    this.senders.set(sender, {
      epoch: auth.epoch,
      epochStartMs: auth.epochStartMs,
      highestSeq: auth.seq,
      seen,
    });
  }
}
