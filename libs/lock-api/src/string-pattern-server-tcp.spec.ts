import { StringPatternServerTcp } from './string-pattern-server-tcp';

/** Reaches the protected lookup the server runs for every incoming message. */
class ProbedServer extends StringPatternServerTcp {
  route(pattern: string): string {
    return this.getRouteFromPattern(pattern);
  }
}

describe('StringPatternServerTcp', () => {
  const server = new ProbedServer({ host: '127.0.0.1', port: 0 });
  afterEach(() => jest.restoreAllMocks());

  it('routes a plain string pattern to its handler without trying to parse it as JSON', () => {
    const handler = Object.assign(() => Promise.resolve('ok'), { isEventHandler: false });
    server.addHandler('locks.preempt', handler);
    const parse = jest.spyOn(JSON, 'parse');
    expect(server.getHandlerByPattern('locks.preempt')).toBe(handler);
    expect(server.route('peer.message')).toBe('peer.message');
    expect(parse).not.toHaveBeenCalled();
  });

  it('still routes object patterns, which arrive as their JSON', () => {
    const handler = Object.assign(() => Promise.resolve('ok'), { isEventHandler: false });
    server.addHandler({ cmd: 'sum', version: 2 }, handler);
    expect(server.getHandlerByPattern(JSON.stringify({ version: 2, cmd: 'sum' }))).toBe(handler);
    expect(server.getHandlerByPattern('sum')).toBeNull();
  });
});
