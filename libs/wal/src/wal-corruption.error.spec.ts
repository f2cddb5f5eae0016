import { WalCorruptionError } from './wal-corruption.error';

/** What an operator reads when a node refuses to start on a damaged WAL. */
describe('WalCorruptionError', () => {
  it('names itself, the file, the offset and the damage, and what to do about it', () => {
    const error = new WalCorruptionError('/data/n1/wal.log', 4096, 'checksum mismatch');
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'WalCorruptionError', path: '/data/n1/wal.log', offset: 4096 });
    expect(String(error)).toMatch(
      /^WalCorruptionError: WAL \/data\/n1\/wal\.log is corrupt at byte offset 4096: checksum mismatch; refusing to start\. /,
    );
    expect(error.message).toContain('Restore the file from a copy, or replace this node');
  });
});
