/**
 * TCP message patterns of the Nest microservice transport. Clients (the SDK, the CLI,
 * followers forwarding to the leader) and peers (log replication) share one port.
 */
export const MessagePatterns = {
  preempt: 'locks.preempt',
  release: 'locks.release',
  check: 'locks.check',
  list: 'locks.list',
  watch: 'locks.watch',
  openSession: 'sessions.open',
  keepAlive: 'sessions.keepalive',
  closeSession: 'sessions.close',
  clusterStatus: 'cluster.status',
  /** the busiest locks and the counts the dashboard shows, for `latchkey top` */
  lockActivity: 'locks.activity',
  join: 'cluster.join',
  removeMember: 'cluster.remove-member',
  /** ReadIndex: the leader confirms it leads and answers its commit index */
  readIndex: 'cluster.read-index',
  /** a follower's forwarded writes of one turn, in one message (each still its own command) */
  forwardBatch: 'locks.forward-batch',
  peerMessage: 'replication.message',
  /** one chunk of a snapshot file from the leader; answered with the offset to go on from */
  snapshotChunk: 'replication.snapshot-chunk',
} as const;

export type MessagePattern = (typeof MessagePatterns)[keyof typeof MessagePatterns];
