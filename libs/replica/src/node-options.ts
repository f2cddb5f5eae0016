/** How one node runs; read from argv and the environment by `parseNodeOptions`. */
export interface NodeOptions {
  id: string;
  /** the address this node binds and advertises to peers and clients */
  host: string;
  port: number;
  httpPort: number;
  dataDir: string;
  /** TCP host:port of a member to join through; null for the first leader */
  join: string | null;
  /** start a new cluster when the data directory is empty (the `leader` app) */
  bootstrap: boolean;
  /**
   * TCP host:port of the other nodes of the cluster. A `leader` whose data directory has no
   * cluster id asks them first, and joins the cluster they form instead of bootstrapping one.
   */
  peers: string[];
  /** the shared secret every peer message is authenticated with; null runs unauthenticated */
  clusterSecret: string | null;
  /**
   * The TCP host:port peers reach this node at, when it differs from where it binds (a
   * proxy or NAT in between); null: host:port.
   */
  advertiseTcpAddress: string | null;
  tickMs: number;
  heartbeatMs: number;
  electionTimeoutMinMs: number;
  electionTimeoutMaxMs: number;
  /** how long a client request may wait for its entry to be committed and applied */
  requestTimeoutMs: number;
  /** HTTP bodies larger than this are refused with 413 */
  maxBodyBytes: number;
  /** take a snapshot of the state machine every this many applied entries (Raft section 7) */
  snapshotEvery: number;
  /** start a new WAL segment file once the current one has this many bytes */
  walSegmentBytes: number;
}

export const NODE_OPTIONS = Symbol('NODE_OPTIONS');

export function tcpAddressOf(options: NodeOptions): string {
  return options.advertiseTcpAddress ?? `${options.host}:${options.port}`;
}

export function httpAddressOf(options: NodeOptions): string {
  return `${options.host}:${options.httpPort}`;
}
