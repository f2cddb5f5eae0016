import { edgeLimitsFromEnv, refusePrototypeKeys, tcpTransportLimits } from './edge-limits';

describe('edge limits', () => {
  it('reads each limit from the environment, falling back to its default on empty or invalid values', () => {
    const limits = edgeLimitsFromEnv({
      LATCHKEY_HTTP_HEADERS_TIMEOUT_MS: '1500',
      LATCHKEY_TCP_MAX_FRAME_BYTES: 'lots',
      LATCHKEY_HTTP_MAX_CONNECTIONS: '',
      LATCHKEY_TCP_IDLE_TIMEOUT_MS: '-1',
    });
    expect(limits.httpHeadersTimeoutMs).toBe(1500);
    expect(limits.tcpMaxFrameBytes).toBe(1024 * 1024);
    expect(limits.httpMaxConnections).toBe(1000);
    expect(limits.tcpIdleTimeoutMs).toBe(0);
    expect(tcpTransportLimits(limits).maxBufferSize).toBe(1024 * 1024);
  });

  it('refuses prototype-polluting keys at any depth of a JSON body', () => {
    expect(JSON.parse('{"a":{"b":1}}', refusePrototypeKeys)).toEqual({ a: { b: 1 } });
    expect((): unknown => JSON.parse('{"__proto__":{"x":1}}', refusePrototypeKeys)).toThrow(/__proto__/);
    expect((): unknown => JSON.parse('{"a":{"constructor":{"prototype":{}}}}', refusePrototypeKeys)).toThrow(
      /prototype|constructor/,
    );
  });
});
