/**
 * Test-only switches that break a node on purpose, so the fault harness can prove its
 * checkers catch each kind of bug (negative controls). Every one is off unless
 * LATCHKEY_UNSAFE_TEST_SWITCHES names it (comma-separated); a node with any on says so
 * loudly at start. Never set them on a real cluster.
 */
export const UNSAFE_TEST_SWITCHES = [
  /** acknowledge a write before it reaches the disk (the WAL writes it 1.5 s later) */
  'ack-before-fsync',
  /** the leader commits what it alone has persisted */
  'ack-before-quorum',
  /** a linearizable check skips the ReadIndex quorum round and reads locally */
  'read-without-quorum',
  /** the lock table frees a lock on any client's release */
  'ignore-owner-on-release',
  /**
   * snapshot files are slow: a snapshot waits 3 s between its write and its fsync and
   * rename, a received chunk 1 s, so a test can kill a node in the middle of either
   */
  'slow-snapshot-files',
  /** a node applies and serves entries once they are on its disk, before they are committed */
  'apply-before-commit',
] as const;

export type UnsafeTestSwitch = (typeof UNSAFE_TEST_SWITCHES)[number];

/** The switches named in the environment; unknown names are ignored (a test typo fails its own check). */
export function unsafeTestSwitches(env: NodeJS.ProcessEnv = process.env): ReadonlySet<UnsafeTestSwitch> {
  const named = (env.LATCHKEY_UNSAFE_TEST_SWITCHES ?? '').split(',').map((s) => s.trim());
  return new Set(UNSAFE_TEST_SWITCHES.filter((s) => named.includes(s)));
}
