import {
  committedVoters,
  grantPreVote,
  grantVote,
  Harness,
  member,
  membershipEntry,
  MIN_TIMEOUT,
} from '../test/raft-harness';
import type { CoreFixRevert } from './core-fix-revert';

// The regression seeds of test/simulation fail only with their fix taken back out by a
// test-only CoreFixRevert. These specs show that each switch does take out its fix in the
// core (and nothing without it), so a seed that passes with the fix in proves something.

const IDS = ['n1', 'n2', 'n3'];

/** n1 of three, with `reverts`, wins term 2 by hand; its noop is not committed yet. */
function freshLeader(reverts: CoreFixRevert[]): Harness {
  const h = committedVoters(IDS, (id) => ({
    timeout: id === 'n1' ? MIN_TIMEOUT : 30,
    config: id === 'n1' ? { testOnlyReverts: new Set(reverts) } : {},
  }));
  const n1 = h.node('n1');
  h.tick('n1', MIN_TIMEOUT);
  grantPreVote(n1, 'n2', 2);
  grantVote(n1, 'n2', 2);
  expect(n1.status()).toMatchObject({ role: 'leader', commitIndex: 1 });
  return h;
}

describe('RaftNode: test-only reverts of core fixes', () => {
  const four = [...IDS, 'n4'].map((id) => member(id));

  it('membership-change-before-own-term-commit lets a new leader change the membership before its noop commits', () => {
    expect(freshLeader([]).node('n1').step({ type: 'changeMembership', members: four, nowMs: 0 })).toEqual({
      type: 'membershipChangePending',
    });
    expect(
      freshLeader(['membership-change-before-own-term-commit'])
        .node('n1')
        .step({ type: 'changeMembership', members: four, nowMs: 0 }),
    ).toMatchObject({ type: 'proposed', index: 3 });
    expect(
      freshLeader(['votes-from-any-storage'])
        .node('n1')
        .step({ type: 'changeMembership', members: four, nowMs: 0 }),
    ).toEqual({ type: 'membershipChangePending' });
  });

  it('votes-from-any-storage counts a vote from a member whose storage was replaced', () => {
    const preVoteFromWiped = (reverts: CoreFixRevert[]) => {
      const h = new Harness();
      const n1 = h.add('n1', {
        log: [membershipEntry(1, 1, IDS)],
        hardState: { term: 1, commitIndex: 1 },
        timeout: MIN_TIMEOUT,
        config: { testOnlyReverts: new Set(reverts) },
      });
      h.tick('n1', MIN_TIMEOUT);
      grantVote(n1, 'n2', 2, { preVote: true, storageId: 'n2-wiped' });
      return n1.status().role;
    };
    expect(preVoteFromWiped([])).toBe('follower');
    expect(preVoteFromWiped(['votes-from-any-storage'])).toBe('candidate');
  });
});
