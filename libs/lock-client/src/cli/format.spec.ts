import { isRefusal } from './execute-command';
import type { CommandResult } from './execute-command';
import { formatResult } from './format';

const ME = '2b1f7f3e-0c56-5d0a-9a57-3f7d2c1e8b40';
const OTHER = '9d3c1a0e-7b2f-5e4d-8c6a-1f0e2d3c4b5a';

describe('formatResult and isRefusal', () => {
  it.each<[CommandResult, string, boolean]>([
    [{ op: 'preempt', response: { name: 'b', acquired: true, owner: ME, fencingToken: 42 } }, 'acquired b (fencing token 42)', false],
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
    [{ op: 'release', response: { name: 'b', released: false, reason: 'not_held' } }, 'not held: b is free', true],
    [
      { op: 'check', response: { name: 'b', owner: ME, fencingToken: 7, waiters: 0, appliedIndex: 9, servedBy: 'n2' } },
      'b is held by you (token 7, served by n2 at index 9)',
      false,
    ],
    [
      { op: 'check', response: { name: 'b', owner: null, fencingToken: null, waiters: 0, appliedIndex: 9, servedBy: 'n2' } },
      'b is free (served by n2 at index 9)',
      false,
    ],
    [{ op: 'list', response: [] }, 'no locks held', false],
  ])('formats %j', (result, text, refused) => {
    expect(formatResult(result, ME)).toBe(text);
    expect(isRefusal(result)).toBe(refused);
  });
});
