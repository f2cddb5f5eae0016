import { grantVote, member, requestVote, threeNodesWithLeader } from '../test/raft-harness';

// Raft §5.1: a message of an older term comes from a stale leader or candidate. Requests
// are answered with the current term, so the sender learns it and steps down; stale
// replies are dropped.

describe('RaftNode: messages of an older term (§5.1)', () => {
  it('a stale candidate’s RequestVote is refused with the current term', () => {
    const h = threeNodesWithLeader();
    const n2 = h.node('n2');
    expect(n2.step({ type: 'receive', message: requestVote('n3', 'n2', 1, 9, 1) })).toEqual({
      type: 'accepted',
    });
    expect(n2.ready().messages).toEqual([
      { type: 'requestVoteReply', from: 'n2', to: 'n3', term: 2, granted: false, storageId: 'n2-disk' },
    ]);
  });

  it('a stale leader’s InstallSnapshot is rejected with the current term, naming the snapshot it offered', () => {
    const h = threeNodesWithLeader();
    const n2 = h.node('n2');
    const snapshot = {
      index: 7,
      term: 1,
      members: ['n1', 'n2', 'n3'].map((id) => member(id)),
      membershipIndex: 1,
    };
    n2.step({
      type: 'receive',
      message: { type: 'installSnapshot', from: 'n3', to: 'n2', term: 1, snapshot },
    });
    expect(n2.ready().messages).toEqual([
      {
        type: 'appendEntriesReply',
        from: 'n2',
        to: 'n3',
        term: 2,
        success: false,
        matchIndex: 0,
        lastLogIndex: 2,
        rejectedIndex: 7,
        storageId: 'n2-disk',
      },
    ]);
    expect(n2.status()).toMatchObject({ snapshotIndex: 0, lastIndex: 2, leaderId: 'n1' });
  });

  it('stale replies are dropped without an answer', () => {
    const h = threeNodesWithLeader();
    const n1 = h.node('n1');
    grantVote(n1, 'n2', 1);
    n1.step({
      type: 'receive',
      message: {
        type: 'appendEntriesReply',
        from: 'n3',
        to: 'n1',
        term: 1,
        success: false,
        matchIndex: 0,
        lastLogIndex: 0,
        rejectedIndex: 1,
        storageId: 'n3-disk',
      },
    });
    expect(n1.status()).toMatchObject({ role: 'leader', term: 2 });
    expect(n1.hasReady()).toBe(false);
  });
});
