import { isPeerEnvelope } from './peer-envelope.validator';

const CLUSTER = '0b5c8f1e-2d3a-4b6c-8d9e-0f1a2b3c4d5e';

const CLIENT = '5f0c8a1e-7b9d-5c3e-9a41-0d2b6f7e8c11';

function appendWith(command: Record<string, unknown>, from = 'n1'): unknown {
  return {
    clusterId: CLUSTER,
    fromTcpAddress: '127.0.0.1:8001',
    message: {
      type: 'appendEntries',
      from,
      to: 'n2',
      term: 1,
      prevLogIndex: 0,
      prevLogTerm: 0,
      leaderCommit: 0,
      entries: [{ index: 1, term: 1, leaderTimeMs: 0, body: { type: 'command', command } }],
    },
  };
}

describe('isPeerEnvelope', () => {
  it('accepts a well-formed preempt entry', () => {
    expect(isPeerEnvelope(appendWith({ type: 'preempt', name: 'a', clientId: CLIENT, ttlMs: 1000 }))).toBe(
      true,
    );
  });

  it.each([
    ['a lock name clients may not send', { type: 'preempt', name: 'a b', clientId: CLIENT }],
    ['a ttlMs outside the TTL bounds', { type: 'preempt', name: 'a', clientId: CLIENT, ttlMs: 5 }],
    ['a waitMs outside the wait bounds', { type: 'preempt', name: 'a', clientId: CLIENT, waitMs: 300_001 }],
    ['a requestId of 0', { type: 'release', name: 'a', clientId: CLIENT, requestId: 0 }],
    [
      'a session TTL outside the bounds',
      { type: 'openSession', sessionId: 'a'.repeat(32), clientId: CLIENT, ttlMs: 1 },
    ],
    ['a malformed session id', { type: 'closeSession', sessionId: 'nope' }],
  ])('drops an entry with %s, by the rules the client edges use', (_what, command) => {
    expect(isPeerEnvelope(appendWith(command))).toBe(false);
  });

  it('drops a sender id that is not a member id', () => {
    expect(isPeerEnvelope(appendWith({ type: 'closeSession', sessionId: 'a'.repeat(32) }, 'n 1'))).toBe(
      false,
    );
  });
});
