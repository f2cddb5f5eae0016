import { parseLockCommand } from './lock-command';

const SESSION = '9f2c0123456789abcdef0123456789ab';

describe('parseLockCommand', () => {
  it.each([
    [['preempt', 'build-lock'], { op: 'preempt', name: 'build-lock' }],
    [['release', 'a.b:c_d-1'], { op: 'release', name: 'a.b:c_d-1' }],
    [['check', 'x'], { op: 'check', name: 'x' }],
    [['list'], { op: 'list', prefix: undefined }],
    [['list', 'jobs.'], { op: 'list', prefix: 'jobs.' }],
    [['status'], { op: 'status' }],
    [
      ['preempt', 'b', '--wait', '5000', '--ttl', '30000'],
      { op: 'preempt', name: 'b', waitMs: 5000, ttlMs: 30000 },
    ],
    [
      ['preempt', '--wait=0', 'b', '--session', SESSION],
      { op: 'preempt', name: 'b', waitMs: 0, sessionId: SESSION },
    ],
    [
      ['preempt', 'b', '--wait', '300000', '--ttl', '1000'],
      { op: 'preempt', name: 'b', waitMs: 300000, ttlMs: 1000 },
    ],
    [['release', 'b', '--session', SESSION], { op: 'release', name: 'b', sessionId: SESSION }],
    [['session', 'open'], { op: 'session-open' }],
    [['session', 'open', '--ttl', '3000'], { op: 'session-open', ttlMs: 3000 }],
    [['session', 'close'], { op: 'session-close' }],
    [['session', 'close', '--session', SESSION], { op: 'session-close', sessionId: SESSION }],
    [['session', 'close', SESSION], { op: 'session-close', sessionId: SESSION }],
    [['watch', 'build-lock'], { op: 'watch', name: 'build-lock' }],
    [['top'], { op: 'top' }],
    [['top', '5'], { op: 'top', limit: 5 }],
    [['top', '--interval', '500', '100'], { op: 'top', limit: 100, intervalMs: 500 }],
    [['top', '--interval=2000'], { op: 'top', intervalMs: 2000 }],
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
    [['preempt', 'b', '--wait'], /--wait needs a value/],
    [['preempt', 'b', '--wait', '-1'], /--wait must be a whole number of milliseconds from 0 to 300000/],
    [['preempt', 'b', '--wait', '300001'], /--wait must be/],
    [['preempt', 'b', '--ttl', '999'], /--ttl must be a whole number of milliseconds from 1000 to 600000/],
    [['preempt', 'b', '--ttl', '1.5e3'], /--ttl must be/],
    [['preempt', 'b', '--session', 'ABC'], /invalid session ID "ABC"/],
    [['release', 'b', '--wait', '5'], /release takes --session, not "--wait"/],
    [['check', 'b', '--ttl', '5000'], /check takes no options, not "--ttl"/],
    [['watch'], /watch takes exactly one NAME/],
    [['session'], /session needs "open" or "close"/],
    [['session', 'renew'], /unknown session action "renew"/],
    [['session', 'open', 'now'], /session open takes no arguments/],
    [['session', 'open', '--ttl', '600001'], /--ttl must be/],
    [['session', 'close', 'nope'], /invalid session ID "nope"/],
    [['session', 'close', SESSION, SESSION], /at most one session ID/],
    [['top', '0'], /top N must be a whole number from 1 to 100/],
    [['top', '101'], /top N must be/],
    [['top', '5', '6'], /top takes at most N and --interval MS/],
    [['top', '--limit', '5'], /top takes at most N/],
    [['top', '--interval', '50'], /--interval must be a whole number of milliseconds from 200 to 60000/],
    [['top', '--interval'], /--interval must be/],
  ])('rejects %j', (words, message) => {
    const parsed = parseLockCommand(words);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.message).toMatch(message);
  });
});
