export const DEFAULT_REQUEST_TIMEOUT_MS = 5000;

export interface LockClientOptions {
  /** "host:port" addresses of the nodes' TCP transports, tried in this order. */
  nodes: string[];
  /** The UUID this client holds locks as (see `defaultClientId`). */
  clientId: string;
  /** How long one request to one node may take before that node counts as down. Default 5000. */
  requestTimeoutMs?: number;
}
