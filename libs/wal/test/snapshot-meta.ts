import type { SnapshotMeta } from '@app/replicated-log';

/** The meta of a snapshot at `index` and `term`, of a one-member cluster, for the WAL specs. */
export const snapshotMeta = (index: number, term = 1): SnapshotMeta => ({
  index,
  term,
  members: [{ id: 'n1', tcpAddress: 'a:1', httpAddress: 'a:2', storageId: 's' }],
  membershipIndex: 1,
});
