import type { PeerMessage } from '@app/replicated-log';
import type { LockCommand } from '@app/lock-table';
import { SafetyChecker } from './invariants';

type Message = PeerMessage<LockCommand>;
const heartbeat = (from: string, term: number): Message => ({
  type: 'appendEntries',
  from,
  to: 'x',
  term,
  prevLogIndex: 0,
  prevLogTerm: 0,
  entries: [],
  leaderCommit: 0,
});
const grant = (from: string, to: string, term: number): Message => ({
  type: 'requestVoteReply',
  from,
  to,
  term,
  granted: true,
  storageId: `${from}-disk`,
});
const noop = (index: number, term: number) => ({
  index,
  term,
  leaderTimeMs: 0,
  body: { type: 'noop' as const },
});

describe('SafetyChecker', () => {
  it('election safety: two nodes leading the same term is a violation', () => {
    const checker = new SafetyChecker();
    checker.onSend(heartbeat('n1', 3));
    checker.onSend(heartbeat('n1', 3));
    checker.onSend(heartbeat('n2', 4));
    expect(() => checker.onSend(heartbeat('n2', 3))).toThrow(/election safety: n1 and n2 both led term 3/);
  });

  it('a node granting its vote to two candidates in one term is a violation', () => {
    const checker = new SafetyChecker();
    checker.onSend(grant('n3', 'n1', 2));
    checker.onSend(grant('n3', 'n1', 2));
    expect(() => checker.onSend(grant('n3', 'n2', 2))).toThrow(/n3 voted for both n1 and n2 in term 2/);
  });

  it('state machine safety: two nodes applying different entries at one index is a violation', () => {
    const checker = new SafetyChecker();
    checker.onApply('n1', 1, noop(1, 1), null);
    checker.onApply('n2', 1, noop(1, 1), null);
    expect(() => checker.onApply('n3', 1, noop(1, 2), null)).toThrow(/state machine safety/);
  });

  it('a node must apply 1, 2, 3... and starts again from 1 after a restart', () => {
    const checker = new SafetyChecker();
    checker.onApply('n1', 1, noop(1, 1), null);
    expect(() => checker.onApply('n1', 1, noop(3, 1), null)).toThrow(/applied index 3 after 1/);
    checker.onApply('n1', 2, noop(1, 1), null);
  });

  it('a restart must not lose a term the node spoke in, nor the vote it gave', () => {
    const checker = new SafetyChecker();
    checker.onSend(grant('n2', 'n1', 5));
    expect(() =>
      checker.onRestart('n2', 'n2-disk', {
        hardState: { term: 4, votedFor: null, commitIndex: 0 },
        entries: [],
      }),
    ).toThrow(/restarted at term 4 but had sent messages in term 5/);
    expect(() =>
      checker.onRestart('n2', 'n2-disk', {
        hardState: { term: 5, votedFor: 'n3', commitIndex: 0 },
        entries: [],
      }),
    ).toThrow(/had voted for n1/);
    checker.onRestart('n2', 'n2-disk', {
      hardState: { term: 5, votedFor: 'n1', commitIndex: 0 },
      entries: [],
    });
  });

  it('a wiped node starts over: an empty log and a new vote in the same term, from its new storage, are no violation', () => {
    const checker = new SafetyChecker();
    checker.onSend(grant('n2', 'n1', 5));
    checker.onWipe('n2');
    checker.onRestart('n2', 'n2-s1', { hardState: { term: 0, votedFor: null, commitIndex: 0 }, entries: [] });
    checker.onSend({ ...grant('n2', 'n3', 5), storageId: 'n2-s1' } as Message);
    // The same storage voting twice in a term is still caught.
    expect(() => checker.onSend({ ...grant('n2', 'n1', 5), storageId: 'n2-s1' } as Message)).toThrow(
      /voted for both n3 and n1 in term 5/,
    );
  });
});
