import { isRefusal } from './execute-command';
import type { CommandResult } from './execute-command';
import { formatResult, formatWatchEvent, shortSessionId } from './format';

const ME = '2b1f7f3e-0c56-5d0a-9a57-3f7d2c1e8b40';
const OTHER = '9d3c1a0e-7b2f-5e4d-8c6a-1f0e2d3c4b5a';

describe('formatResult and isRefusal', () => {
  it.each<[CommandResult, string, boolean]>([
    [
      { op: 'preempt', response: { name: 'b', acquired: true, owner: ME, fencingToken: 42 } },
      'acquired b (fencing token 42)',
      false,
    ],
    [
      { op: 'preempt', response: { name: 'b', acquired: false, owner: OTHER, fencingToken: 41 } },
      `not acquired: b is held by ${OTHER} (token 41)`,
      true,
    ],
    [{ op: 'release', response: { name: 'b', released: true } }, 'released b', false],
    [
      { op: 'release', response: { name: 'b', released: false, reason: 'not_owner', owner: OTHER } },
      `not owner: b is held by ${OTHER}`,
      true,
    ],
    [
      { op: 'release', response: { name: 'b', released: false, reason: 'not_held' } },
      'not held: b is free',
      true,
    ],
    [
      {
        op: 'check',
        response: { name: 'b', owner: ME, fencingToken: 7, waiters: 0, appliedIndex: 9, servedBy: 'n2' },
      },
      'b is held by you (token 7, served by n2 at index 9)',
      false,
    ],
    [
      {
        op: 'check',
        response: { name: 'b', owner: null, fencingToken: null, waiters: 0, appliedIndex: 9, servedBy: 'n2' },
      },
      'b is free (served by n2 at index 9)',
      false,
    ],
    [{ op: 'list', response: [] }, 'no locks held', false],
    [
      {
        op: 'check',
        response: { name: 'b', owner: OTHER, fencingToken: 7, waiters: 2, appliedIndex: 9, servedBy: 'n1' },
      },
      `b is held by ${OTHER} (token 7, 2 waiting, served by n1 at index 9)`,
      false,
    ],
    [
      { op: 'preempt', response: { name: 'b', acquired: false, owner: null, fencingToken: null } },
      'not acquired: b was not granted in time (it is free now)',
      true,
    ],
    [
      { op: 'session-close', response: { sessionId: '9f2c0123456789abcdef0123456789ab', closed: true } },
      'closed session 9f2c…; its locks are released',
      false,
    ],
  ])('formats %j', (result, text, refused) => {
    expect(formatResult(result, ME)).toBe(text);
    expect(isRefusal(result)).toBe(refused);
  });
});

describe('formatWatchEvent', () => {
  it.each([
    [
      { type: 'granted', name: 'build-lock', owner: OTHER, fencingToken: 42, index: 42 },
      `granted build-lock to ${OTHER} (token 42, index 42)`,
    ],
    [
      { type: 'granted', name: 'build-lock', owner: ME, fencingToken: 44, index: 44 },
      'granted build-lock to you (token 44, index 44)',
    ],
    [
      { type: 'released', name: 'build-lock', owner: OTHER, fencingToken: 42, index: 43 },
      `released build-lock by ${OTHER} (token 42, index 43)`,
    ],
    [
      { type: 'expired', name: 'build-lock', owner: OTHER, fencingToken: 44, index: 50 },
      `expired build-lock held by ${OTHER} (token 44, index 50)`,
    ],
  ] as const)('formats %j', (event, text) => {
    expect(formatWatchEvent(event, ME)).toBe(text);
  });

  it('shortens a session id', () => {
    expect(shortSessionId('9f2c0123456789abcdef0123456789ab')).toBe('9f2c…');
  });
});
