/**
 * The WAL is damaged before its tail, so acknowledged state may be lost. Truncating there
 * could silently drop votes or committed entries, so the node must not start; an operator
 * has to decide (restore the file, or wipe it and rejoin as an empty member).
 */
export class WalCorruptionError extends Error {
  override name = 'WalCorruptionError';

  constructor(
    readonly path: string,
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`WAL ${path} is corrupt at byte offset ${offset}: ${reason}; refusing to start`);
  }
}
