/**
 * The WAL is damaged before its tail, so acknowledged state may be lost. Truncating there
 * could silently drop votes or committed entries, so the node must not start; an operator
 * has to decide: restore the file, or replace the node. Replacing it with an empty
 * directory under the same id is safe only after the old member has been removed: an
 * empty log must never take the voter's place (and the votes) the old one had.
 */
export class WalCorruptionError extends Error {
  override name = 'WalCorruptionError';

  constructor(
    readonly path: string,
    readonly offset: number,
    readonly reason: string,
  ) {
    super(
      `WAL ${path} is corrupt at byte offset ${offset}: ${reason}; refusing to start. ` +
        `Restore the file from a copy, or replace this node: remove it from the cluster ` +
        `(DELETE /cluster/members/{id} on another member), empty its data directory, then start ` +
        `it again with --join (the same id may join again once removed)`,
    );
  }
}
