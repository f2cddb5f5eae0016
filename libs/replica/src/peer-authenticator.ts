import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { PeerAuth } from './peer-envelope';

/** What a MAC covers besides the body, so that no field can be moved to another context. */
export interface SealContext {
  /** what kind of message: a replication message, a join request or a snapshot chunk */
  scope: 'message' | 'join' | 'snapshot';
  clusterId: string;
  /** the sender's address as it claims it; the body names its id */
  sender: string;
}

const MAC_BYTES = 32;

/**
 * Seals peer messages with HMAC-SHA256 under the cluster secret and checks seals. One
 * HMAC per message, over a canonical text: a version tag, the context, the freshness
 * fields, then the JSON of the body (JSON.parse keeps key order, so the receiver's
 * JSON.stringify of what it parsed is the sender's text).
 */
export class PeerAuthenticator {
  private readonly epoch = randomBytes(12).toString('hex');
  private readonly epochStartMs: number;
  private seq = 0;

  constructor(
    private readonly secret: Buffer,
    private readonly nowMs: () => number = Date.now,
  ) {
    this.epochStartMs = nowMs();
  }

  seal(context: SealContext, body: unknown): PeerAuth {
    return this.sealText(context, JSON.stringify(body));
  }

  /** The seal of a body already encoded, as `JSON.stringify(body)` would have. */
  sealText(context: SealContext, bodyJson: string): PeerAuth {
    const fields = {
      epoch: this.epoch,
      epochStartMs: this.epochStartMs,
      seq: ++this.seq,
      sentAtMs: this.nowMs(),
    };
    return { ...fields, mac: this.mac(context, fields, bodyJson).toString('base64') };
  }

  /** Constant-time comparison of the MAC; says nothing about freshness (ReplayGuard does). */
  verify(context: SealContext, auth: PeerAuth, body: unknown): boolean {
    const given = Buffer.from(auth.mac, 'base64');
    if (given.length !== MAC_BYTES) return false;
    return timingSafeEqual(given, this.mac(context, auth, JSON.stringify(body)));
  }

  private mac(context: SealContext, fields: Omit<PeerAuth, 'mac'>, bodyJson: string): Buffer {
    const head =
      `latchkey-peer-v1\n${context.scope}\n${context.clusterId}\n${context.sender}\n` +
      `${fields.epoch}\n${fields.epochStartMs}\n${fields.seq}\n${fields.sentAtMs}\n`;
    return createHmac('sha256', this.secret).update(head).update(bodyJson).digest();
  }
}
