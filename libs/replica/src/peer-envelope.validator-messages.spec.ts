import { isPeerEnvelope } from './peer-envelope.validator';

const CLUSTER = '0b5c8f1e-2d3a-4b6c-8d9e-0f1a2b3c4d5e';

const CLIENT = '5f0c8a1e-7b9d-5c3e-9a41-0d2b6f7e8c11';
const SESSION = 'a'.repeat(32);
const STORAGE = 'store-1';

function envelope(message: Record<string, unknown>): unknown {
  return {
    clusterId: CLUSTER,
    fromTcpAddress: '127.0.0.1:8001',
    message: { from: 'n1', to: 'n2', term: 2, ...message },
  };
}

function append(entries: unknown[], extra: Record<string, unknown> = {}): unknown {
  return envelope({
    type: 'appendEntries',
    prevLogIndex: 0,
    prevLogTerm: 0,
    leaderCommit: 0,
    entries,
    ...extra,
  });
}

const entry = (body: unknown, extra: Record<string, unknown> = {}) => ({
  index: 1,
  term: 1,
  leaderTimeMs: 0,
  body,
  ...extra,
});
const command = (c: Record<string, unknown>) => entry({ type: 'command', command: c });
const member = (extra: Record<string, unknown> = {}) => ({
  id: 'n1',
  tcpAddress: '127.0.0.1:8001',
  httpAddress: '127.0.0.1:9001',
  storageId: STORAGE,
  ...extra,
});

// Every message and entry type, once well-formed and once with one field broken.
describe('isPeerEnvelope, message by message', () => {
  it.each<[string, unknown]>([
    ['a heartbeat', append([], { readSeq: 3 })],
    ['a noop entry', append([entry({ type: 'noop' })])],
    [
      'a membership entry',
      append([entry({ type: 'membership', members: [member(), member({ id: 'n2', learner: true })] })]),
    ],
    [
      'a release',
      append([command({ type: 'release', name: 'a', clientId: CLIENT, sessionId: SESSION, requestId: 4 })]),
    ],
    [
      'a waiting preempt',
      append([command({ type: 'preempt', name: 'a', clientId: CLIENT, waitMs: 10, requestId: 1 })]),
    ],
    [
      'an openSession',
      append([command({ type: 'openSession', sessionId: SESSION, clientId: CLIENT, ttlMs: 5000 })]),
    ],
    ['an expireSession', append([command({ type: 'expireSession', sessionId: SESSION })])],
    ['an expireLock', append([command({ type: 'expireLock', name: 'a', fencingToken: 3 })])],
    ['an expireWaiter', append([command({ type: 'expireWaiter', waiterId: 2, deadlineMs: 1500 })])],
    ['an expireWaiter without a deadline', append([command({ type: 'expireWaiter', waiterId: 2 })])],
    [
      'an appendEntries reply',
      envelope({
        type: 'appendEntriesReply',
        success: false,
        matchIndex: 0,
        lastLogIndex: 4,
        rejectedIndex: 3,
        storageId: STORAGE,
      }),
    ],
    ['a vote request', envelope({ type: 'requestVote', lastLogIndex: 3, lastLogTerm: 1, preVote: true })],
    ['a vote reply', envelope({ type: 'requestVoteReply', granted: true, storageId: STORAGE })],
  ])('accepts %s', (_what, value) => {
    expect(isPeerEnvelope(value)).toBe(true);
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['a string', 'appendEntries'],
    ['a bad sender address', { fromTcpAddress: 'nowhere', message: {} }],
    ['no message', { clusterId: CLUSTER, fromTcpAddress: '127.0.0.1:8001', message: null }],
    [
      'no cluster id',
      {
        ...(envelope({ type: 'requestVote', lastLogIndex: 0, lastLogTerm: 0 }) as object),
        clusterId: undefined,
      },
    ],
    [
      'a cluster id that is not a UUID',
      { ...(envelope({ type: 'requestVote', lastLogIndex: 0, lastLogTerm: 0 }) as object), clusterId: 'c1' },
    ],
    [
      'a seal without a MAC',
      {
        ...(envelope({ type: 'requestVote', lastLogIndex: 0, lastLogTerm: 0 }) as object),
        auth: { epoch: 'e', epochStartMs: 1, seq: 1, sentAtMs: 1 },
      },
    ],
    [
      'a seal with sequence number 0',
      {
        ...(envelope({ type: 'requestVote', lastLogIndex: 0, lastLogTerm: 0 }) as object),
        auth: { epoch: 'e', epochStartMs: 1, seq: 0, sentAtMs: 1, mac: 'x' },
      },
    ],
    ['an unknown message type', envelope({ type: 'installSnapshot' })],
    ['a negative term', envelope({ type: 'requestVote', term: -1, lastLogIndex: 0, lastLogTerm: 0 })],
    ['entries that are not an array', append({} as unknown as unknown[])],
    ['a fractional leaderCommit', append([], { leaderCommit: 1.5 })],
    ['a null entry', append([null])],
    ['an entry without a leader time', append([entry({ type: 'noop' }, { leaderTimeMs: 'now' })])],
    ['an entry without a body', append([entry(null)])],
    ['an unknown entry type', append([entry({ type: 'snapshot' })])],
    ['an empty membership', append([entry({ type: 'membership', members: [] })])],
    [
      'a member without a storage id',
      append([entry({ type: 'membership', members: [member({ storageId: '' })] })]),
    ],
    ['a null member', append([entry({ type: 'membership', members: [null] })])],
    [
      'a member whose learner flag is not a boolean',
      append([entry({ type: 'membership', members: [member({ learner: 'yes' })] })]),
    ],
    ['a null command', append([command(null as unknown as Record<string, unknown>)])],
    ['an unknown command', append([command({ type: 'steal', name: 'a' })])],
    [
      'an expireLock with a negative token',
      append([command({ type: 'expireLock', name: 'a', fencingToken: -1 })]),
    ],
    [
      'an expireWaiter with an infinite deadline',
      append([command({ type: 'expireWaiter', waiterId: 1, deadlineMs: Infinity })]),
    ],
    [
      'a release with a bad session id',
      append([command({ type: 'release', name: 'a', clientId: CLIENT, sessionId: 'x' })]),
    ],
    [
      'a reply without a storage id',
      envelope({ type: 'appendEntriesReply', success: true, matchIndex: 1, lastLogIndex: 1 }),
    ],
    [
      'a reply whose success is not a boolean',
      envelope({
        type: 'appendEntriesReply',
        success: 1,
        matchIndex: 1,
        lastLogIndex: 1,
        storageId: STORAGE,
      }),
    ],
    [
      'a vote request whose preVote is not a boolean',
      envelope({ type: 'requestVote', lastLogIndex: 0, lastLogTerm: 0, preVote: 1 }),
    ],
    ['a vote reply without granted', envelope({ type: 'requestVoteReply', storageId: STORAGE })],
  ])('drops %s', (_what, value) => {
    expect(isPeerEnvelope(value)).toBe(false);
  });
});
