import { AssertionError, assert, unreachable } from './assert';

describe('assert', () => {
  it('throws an AssertionError, named so in logs, with the message', () => {
    expect(() => assert(false, 'a broken invariant')).toThrow(new AssertionError('a broken invariant'));
    const error = (() => {
      try {
        assert(0, 'zero is false');
      } catch (thrown: unknown) {
        return thrown;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(AssertionError);
    expect(String(error)).toBe('AssertionError: zero is false');
    expect(() => assert(1, 'never thrown')).not.toThrow();
  });

  it('unreachable names the value that should not exist', () => {
    expect(() => unreachable({ type: 'odd' } as never, 'unknown message')).toThrow(
      'unknown message: {"type":"odd"}',
    );
    expect(() => unreachable('x' as never)).toThrow('unreachable: "x"');
  });
});
