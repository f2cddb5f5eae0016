import type { Member } from './member';
import { planJoin, planRemoval } from './membership-plan';

function member(id: string, storageId = `${id}-disk`, extra: Partial<Member> = {}): Member {
  return { id, tcpAddress: `${id}:1`, httpAddress: `${id}:2`, storageId, ...extra };
}

describe('planJoin', () => {
  const voters = [member('n1'), member('n2')];

  it('adds an unknown node as a learner (thesis 4.2.1)', () => {
    expect(planJoin(voters, member('n3'))).toEqual({
      type: 'change',
      members: [...voters, member('n3', 'n3-disk', { learner: true })],
    });
  });

  it('is no change for a known member with its own storage and addresses (a plain restart)', () => {
    expect(planJoin(voters, member('n2'))).toEqual({ type: 'unchanged' });
  });

  it('updates the addresses of a known member with its own storage, keeping its role', () => {
    const moved = { ...member('n2'), tcpAddress: 'elsewhere:1' };
    expect(planJoin(voters, moved)).toEqual({ type: 'change', members: [member('n1'), moved] });
    const learners = [member('n1'), member('n2', 'n2-disk', { learner: true })];
    expect(planJoin(learners, moved)).toEqual({
      type: 'change',
      members: [member('n1'), { ...moved, learner: true }],
    });
  });

  it('refuses a voter id with another storage, naming the way out', () => {
    const plan = planJoin(voters, member('n2', 'fresh'));
    expect(plan.type).toBe('refused');
    expect(plan.type === 'refused' && plan.reason).toMatch(
      /n2 is already a voting member with different storage.*DELETE \/cluster\/members\/n2.*--join/,
    );
  });

  it('replaces a learner that comes back with another storage: it held no place in any majority', () => {
    const current = [member('n1'), member('n2', 'old', { learner: true })];
    expect(planJoin(current, member('n2', 'new'))).toEqual({
      type: 'change',
      members: [member('n1'), member('n2', 'new', { learner: true })],
    });
  });
});

describe('planRemoval', () => {
  it('removes a voter or a learner, but never the last voter', () => {
    const current = [member('n1'), member('n2', 'n2-disk', { learner: true })];
    expect(planRemoval(current, 'n2')).toEqual({ type: 'change', members: [member('n1')] });
    expect(planRemoval(current, 'n1')).toEqual({
      type: 'refused',
      reason: 'cannot remove the last voting member',
    });
    expect(planRemoval(current, 'n9')).toEqual({ type: 'notFound', reason: 'n9 is not a member' });
    expect(planRemoval([member('n1'), member('n2')], 'n1')).toEqual({
      type: 'change',
      members: [member('n2')],
    });
  });
});
