import { RateLimitedLog } from './rate-limited-log';

describe('RateLimitedLog', () => {
  it('writes one line per key per interval and then says how many it left out', () => {
    let now = 0;
    const lines: string[] = [];
    const log = new RateLimitedLog({ warn: (text: string) => void lines.push(text) }, 1000, () => now);
    log.warn('a', 'first');
    log.warn('a', 'second');
    log.warn('a', 'third');
    log.warn('b', 'other');
    now = 1000;
    log.warn('a', 'fourth');
    expect(lines).toEqual(['first', 'other', 'fourth (2 more like it since the last line)']);
  });
});
