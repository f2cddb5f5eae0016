import { redactUrl } from './redact-url';

describe('redactUrl', () => {
  it('hides a session id in a path and in a query string', () => {
    expect(redactUrl('/sessions/3f9a0c1d2e/keepalive')).toBe('/sessions/[redacted]/keepalive');
    expect(redactUrl('/sessions/3f9a0c1d2e')).toBe('/sessions/[redacted]');
    expect(redactUrl('/x?a=1&sessionId=abc&b=2')).toBe('/x?a=1&sessionId=[redacted]&b=2');
  });

  it('leaves other URLs alone', () => {
    expect(redactUrl('/sessions')).toBe('/sessions');
    expect(redactUrl('/locks/build-lock/preempt')).toBe('/locks/build-lock/preempt');
  });
});
