import { member, threeNodesWithFreshLeader } from '../test/raft-harness';

// What a node tells its driver about leadership and membership between steps: who leads,
// who the members are, and whether this leader's state machine already reflects every
// write acknowledged before its term (Raft §5.4.2, thesis §6.4).

describe('RaftNode: leadership as the driver sees it', () => {
  it('§5.4.2 a new leader is current only once it has applied its own noop; followers never are', () => {
    const h = threeNodesWithFreshLeader();
    const n1 = h.node('n1');
    expect(n1.isLeader).toBe(true);
    expect(n1.currentLeaderId).toBe('n1');
    // Entries of earlier terms may be committed that it has not applied yet.
    expect(n1.isCurrentLeader).toBe(false);
    h.settle();
    expect(n1.status()).toMatchObject({ role: 'leader', commitIndex: 2, appliedIndex: 2 });
    expect(n1.isCurrentLeader).toBe(true);
    const n2 = h.node('n2');
    expect(n2.isCurrentLeader).toBe(false);
    expect(n2.currentLeaderId).toBe('n1');
    expect(n2.currentMembers).toEqual(['n1', 'n2', 'n3'].map((id) => member(id)));
  });
});
