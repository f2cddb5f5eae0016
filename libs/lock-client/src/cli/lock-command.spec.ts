import { parseLockCommand } from './lock-command';

describe('parseLockCommand', () => {
  it.each([
    [['preempt', 'build-lock'], { op: 'preempt', name: 'build-lock' }],
    [['release', 'a.b:c_d-1'], { op: 'release', name: 'a.b:c_d-1' }],
    [['check', 'x'], { op: 'check', name: 'x' }],
    [['list'], { op: 'list', prefix: undefined }],
    [['list', 'jobs.'], { op: 'list', prefix: 'jobs.' }],
    [['status'], { op: 'status' }],
  ])('parses %j', (words, command) => {
    expect(parseLockCommand(words)).toEqual({ ok: true, command });
  });

  it.each([
    [['preempt'], /exactly one NAME/],
    [['preempt', 'a', 'b'], /exactly one NAME/],
    [['check', 'no/slash'], /invalid lock name/],
    [['release', 'x'.repeat(129)], /invalid lock name/],
    [['list', 'a', 'b'], /at most one PREFIX/],
    [['status', 'now'], /no arguments/],
    [['grab', 'x'], /unknown command "grab"/],
    [[], /missing command/],
  ])('rejects %j', (words, message) => {
    const parsed = parseLockCommand(words);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.message).toMatch(message);
  });
});
