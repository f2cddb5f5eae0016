import { Logger } from '@nestjs/common';
import type { SnapshotChunkMessage } from './snapshot-chunk';
import type { JoinClusterRequest } from '@app/protocol';
import type { ClusterIdentity } from './cluster-identity';
import type { PeerAuth, PeerEnvelope } from './peer-envelope';
import type { PeerAuthenticator, SealContext } from './peer-authenticator';
import { isPeerAuth, isPeerEnvelope, isPeerEnvelopeHeader } from './peer-envelope.validator';
import { RateLimitedLog } from './rate-limited-log';
import { ReplayGuard } from './replay-guard';

/** Why a peer message or join request was refused; the label of the refusal counter. */
export type PeerRefusal =
  | 'malformed'
  | 'unauthenticated'
  | 'bad-mac'
  | 'replayed'
  | 'stale'
  | 'other-cluster'
  | 'misdirected'
  | 'no-cluster-yet';

/** How far a sender's clock may be from ours before its messages count as old captures. */
export const MAX_MESSAGE_AGE_MS = 60_000;
const LOG_INTERVAL_MS = 10_000;

export type JoinAdmission = { type: 'admitted' } | { type: 'refused'; reason: PeerRefusal; message: string };

/**
 * Everything a peer message or join request passes before the node acts on it, in this
 * order: the envelope's own fields, the MAC (constant time, when the cluster has a
 * secret), freshness, the cluster id, and only then the message itself. A refusal is a
 * counted, rate-limited log line; never an exception.
 */
export class PeerGate {
  private readonly logger = new Logger(PeerGate.name);
  private readonly log = new RateLimitedLog(this.logger, LOG_INTERVAL_MS);
  private readonly replays = new ReplayGuard(MAX_MESSAGE_AGE_MS);
  /** set by the metrics: told every refusal */
  refusalObserver: ((reason: PeerRefusal) => void) | null = null;

  constructor(
    readonly identity: ClusterIdentity,
    private readonly authenticator: PeerAuthenticator | null,
    private readonly nodeId: string,
  ) {}

  get authenticated(): boolean {
    return this.authenticator !== null;
  }

  /** The envelope, if this node should act on it; null (logged and counted) if not. */
  admit(value: unknown): PeerEnvelope | null {
    if (!isPeerEnvelopeHeader(value))
      return this.refuse('malformed', 'malformed', 'a malformed replication message');
    const sender = `${senderId(value.message)}@${value.fromTcpAddress}`;
    const context: SealContext = {
      scope: 'message',
      clusterId: value.clusterId,
      sender: value.fromTcpAddress,
    };
    const refusal = this.checkAuth(context, value.auth, value.message, senderId(value.message));
    if (refusal !== null) return this.refuse(refusal, sender, `a peer message from ${sender}`);
    const own = this.identity.id;
    if (own === null) return this.refuse('no-cluster-yet', 'no-cluster-yet', `a peer message from ${sender}`);
    if (value.clusterId !== own)
      return this.refuse(
        'other-cluster',
        `${sender}/${value.clusterId}`,
        `a peer message from ${sender} of cluster ${value.clusterId}`,
      );
    if (!isPeerEnvelope(value))
      return this.refuse('malformed', sender, `a malformed replication message from ${sender}`);
    // Sequence numbers count per sender, not per link: a message captured on its way to
    // another node would be fresh here, so it must be addressed to this node.
    if (value.message.to !== this.nodeId)
      return this.refuse('misdirected', sender, `a peer message from ${sender} to ${value.message.to}`);
    return value;
  }

  /** A join request is refused when it is not sealed with the secret or names another cluster. */
  admitJoin(request: JoinClusterRequest): JoinAdmission {
    const sender = `${request.id}@${request.tcpAddress}`;
    if (request.auth !== undefined && !isPeerAuth(request.auth)) return this.refuseJoin('malformed', sender);
    const refusal = this.checkAuth(
      joinSealContext(request),
      request.auth,
      joinSealBody(request),
      `join:${request.id}`,
    );
    if (refusal !== null) return this.refuseJoin(refusal, sender);
    const own = this.identity.id;
    if (own === null) return this.refuseJoin('no-cluster-yet', sender);
    if (request.clusterId !== undefined && request.clusterId !== own)
      return this.refuseJoin('other-cluster', sender, request.clusterId);
    return { type: 'admitted' };
  }

  /**
   * A snapshot chunk travels on its own request pattern, but is checked like a peer
   * message: sealed (scope 'snapshot') when the cluster has a secret, of this cluster, and
   * addressed to this node. Without that, anyone reaching the port could have a follower
   * install a state of their making.
   */
  admitSnapshotChunk(chunk: SnapshotChunkMessage): boolean {
    const sender = `${chunk.from}@${chunk.fromTcpAddress}`;
    const { auth, ...body } = chunk;
    if (auth !== undefined && !isPeerAuth(auth))
      return this.refuse('malformed', sender, `a snapshot chunk from ${sender}`) !== null;
    const context: SealContext = {
      scope: 'snapshot',
      clusterId: chunk.clusterId ?? '',
      sender: chunk.fromTcpAddress,
    };
    const refusal = this.checkAuth(context, auth, body, `snapshot:${chunk.from}`);
    if (refusal !== null) return this.refuse(refusal, sender, `a snapshot chunk from ${sender}`) !== null;
    const own = this.identity.id;
    if (own === null || chunk.clusterId !== own)
      return (
        this.refuse(
          'other-cluster',
          `${sender}/${chunk.clusterId}`,
          `a snapshot chunk from ${sender} of cluster ${chunk.clusterId}`,
        ) !== null
      );
    if (chunk.to !== this.nodeId)
      return this.refuse('misdirected', sender, `a snapshot chunk from ${sender} to ${chunk.to}`) !== null;
    return true;
  }

  /** Seals a snapshot chunk this node sends: the cluster id always, the seal with a secret. */
  sealSnapshotChunk(chunk: SnapshotChunkMessage): SnapshotChunkMessage {
    const clusterId = this.identity.id ?? '';
    const withCluster = { ...chunk, clusterId };
    const auth = this.seal({ scope: 'snapshot', clusterId, sender: chunk.fromTcpAddress }, withCluster);
    return auth === undefined ? withCluster : { ...withCluster, auth };
  }

  /** Seals what this node sends, when the cluster has a secret. */
  seal(context: SealContext, body: unknown): PeerAuth | undefined {
    return this.authenticator?.seal(context, body);
  }

  /** The same for a body already encoded as JSON (encoded once, for the seal and the wire). */
  sealText(context: SealContext, bodyJson: string): PeerAuth | undefined {
    return this.authenticator?.sealText(context, bodyJson);
  }

  private checkAuth(
    context: SealContext,
    auth: PeerAuth | undefined,
    body: unknown,
    replayKey: string,
  ): PeerRefusal | null {
    if (this.authenticator === null) return null;
    if (auth === undefined) return 'unauthenticated';
    if (!this.authenticator.verify(context, auth, body)) return 'bad-mac';
    const verdict = this.replays.check(replayKey, auth);
    return verdict === 'fresh' ? null : verdict;
  }

  private refuse(reason: PeerRefusal, logKey: string, what: string): null {
    this.refusalObserver?.(reason);
    const verb = reason === 'malformed' ? 'dropped' : 'refused';
    this.log.warn(`${reason}:${logKey}`, `${verb} ${what}: ${this.explain(reason)}`);
    return null;
  }

  private refuseJoin(reason: PeerRefusal, sender: string, theirCluster?: string): JoinAdmission {
    const message =
      reason === 'other-cluster'
        ? `${sender} belongs to cluster ${theirCluster}, this is cluster ${this.identity.id}`
        : `join of ${sender} refused: ${this.explain(reason)}`;
    this.refusalObserver?.(reason);
    this.log.warn(`join:${reason}:${sender}`, `refused the join request of ${sender}: ${message}`);
    return { type: 'refused', reason, message };
  }

  private explain(reason: PeerRefusal): string {
    switch (reason) {
      case 'malformed':
        return 'it is not a well-formed peer message';
      case 'unauthenticated':
        return 'it carries no MAC and this cluster requires the cluster secret';
      case 'bad-mac':
        return 'its MAC is wrong (another cluster secret, or a forged or altered message)';
      case 'replayed':
        return 'it was delivered before (a replay)';
      case 'stale':
        return `it is older than ${MAX_MESSAGE_AGE_MS} ms or from a sender process that has restarted since`;
      case 'other-cluster':
        return `it belongs to another cluster; this is cluster ${this.identity.id}`;
      case 'misdirected':
        return `it is addressed to another node; this is ${this.nodeId}`;
      case 'no-cluster-yet':
        return 'this node has not learned its cluster id yet';
    }
  }
}

/** What a join request's MAC covers, in a fixed order whatever order its fields arrived in. */
export function joinSealBody(request: JoinClusterRequest): unknown {
  const { id, tcpAddress, httpAddress, storageId, clusterId } = request;
  return [id, tcpAddress, httpAddress, storageId, clusterId ?? null];
}

export function joinSealContext(request: JoinClusterRequest): SealContext {
  return { scope: 'join', clusterId: request.clusterId ?? '', sender: request.tcpAddress };
}

function senderId(message: unknown): string {
  const from = (message as { from?: unknown } | null)?.from;
  return typeof from === 'string' ? from.slice(0, 64) : '?';
}
