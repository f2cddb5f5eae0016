import { connect, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import request from 'supertest';
import { newClientId } from './support/client-ids';
import { LocalCluster, type NodeHandle } from './support/local-cluster';
import { closedWithin, rawHttp } from './support/raw-http';
import { waitFor } from './support/wait-for';

jest.setTimeout(120_000);

// Tight limits so slow-client cases finish in seconds (the defaults are in edge-limits.ts).
const LIMITS = {
  LATCHKEY_HTTP_HEADERS_TIMEOUT_MS: '1500',
  LATCHKEY_HTTP_REQUEST_TIMEOUT_MS: '2500',
  LATCHKEY_HTTP_KEEP_ALIVE_TIMEOUT_MS: '1000',
  LATCHKEY_HTTP_MAX_CONNECTIONS: '40',
  LATCHKEY_TCP_INCOMPLETE_FRAME_TIMEOUT_MS: '1500',
  LATCHKEY_TCP_IDLE_TIMEOUT_MS: '2500',
  LATCHKEY_TCP_MAX_CONNECTIONS: '40',
};

const json = (body: string) =>
  `POST /locks/hostile/preempt HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
const uuid = '5f0c8a1e-7b9d-5c3e-9a41-0d2b6f7e8c11';
const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`;
const post = (path: string, body: string, type = 'application/json') =>
  `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;

function invalidUtf8(): Buffer {
  const body = Buffer.concat([
    Buffer.from('{"clientId":"'),
    Buffer.from([0xff, 0xfe, 0xc0]),
    Buffer.from('"}'),
  ]);
  const head = `POST /locks/hostile/preempt HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
  return Buffer.concat([Buffer.from(head), body]);
}

/** [what, expected status, raw request] */
const HTTP_CASES: [string, number, string | Buffer][] = [
  ['truncated JSON', 400, json('{"clientId":')],
  ['a trailing comma', 400, json(`{"clientId":"${uuid}",}`)],
  ['single quotes', 400, json(`{'clientId':'${uuid}'}`)],
  ['NaN', 400, json('{"clientId":NaN}')],
  ['top-level null', 400, json('null')],
  ['a top-level array', 400, json(`["${uuid}"]`)],
  ['a top-level string', 400, json(`"${uuid}"`)],
  ['1e400', 400, json('{"clientId":1e400}')],
  ['an empty JSON body', 400, json('')],
  ['clientId as a number', 400, json('{"clientId":42}')],
  ['clientId as an array', 400, json(`{"clientId":["${uuid}"]}`)],
  ['clientId as an object', 400, json(`{"clientId":{"id":"${uuid}"}}`)],
  ['clientId null', 400, json('{"clientId":null}')],
  ['clientId a boolean', 400, json('{"clientId":true}')],
  ['clientId not a UUID', 400, json('{"clientId":"me"}')],
  ['an oversized clientId', 400, json(`{"clientId":"${'a'.repeat(5000)}"}`)],
  ['a missing clientId', 400, json('{}')],
  ['an unknown extra field', 400, json(`{"clientId":"${uuid}","admin":true}`)],
  ['a __proto__ key', 400, json(`{"clientId":"${uuid}","__proto__":{"admin":true}}`)],
  ['a constructor.prototype key', 400, json(`{"clientId":"${uuid}","constructor":{"prototype":{"x":1}}}`)],
  ['ttlMs as a string', 400, json(`{"clientId":"${uuid}","ttlMs":"1000"}`)],
  ['ttlMs negative', 400, json(`{"clientId":"${uuid}","ttlMs":-5}`)],
  ['ttlMs a fraction', 400, json(`{"clientId":"${uuid}","ttlMs":1000.5}`)],
  ['ttlMs beyond 2^53', 400, json(`{"clientId":"${uuid}","ttlMs":9007199254740993}`)],
  ['waitMs as an object', 400, json(`{"clientId":"${uuid}","waitMs":{}}`)],
  ['requestId negative', 400, json(`{"clientId":"${uuid}","requestId":-1}`)],
  ['invalid UTF-8', 400, invalidUtf8()],
  ['a lock name of 129 characters', 400, post(`/locks/${'a'.repeat(129)}/preempt`, `{"clientId":"${uuid}"}`)],
  ['a lock name of 10 KB', 400, get(`/locks/${'a'.repeat(10_000)}`)],
  ['a NUL in the lock name', 400, get('/locks/a%00b')],
  ['a newline in the lock name', 400, get('/locks/a%0Ab')],
  ['a right-to-left override in the lock name', 400, get('/locks/a%E2%80%AEb')],
  ['a lone surrogate in the lock name', 400, get('/locks/a%ED%A0%80b')],
  ['a path traversal in the lock name', 400, get('/locks/..%2Fetc')],
  ['a space as the lock name', 400, get('/locks/%20')],
  ['a body one byte over the limit', 413, json(`{"clientId":"${uuid}","p":"${'x'.repeat(16 * 1024)}"}`)],
  ['a 1 MiB body', 413, json(`{"p":"${'x'.repeat(1024 * 1024)}"}`)],
  ['a text/plain body', 400, post('/locks/hostile/preempt', `{"clientId":"${uuid}"}`, 'text/plain')],
  [
    'a form body',
    400,
    post('/locks/hostile/preempt', `clientId=${uuid}`, 'application/x-www-form-urlencoded'),
  ],
  ['minIndex not a number', 400, get('/locks/hostile?minIndex=abc')],
  ['minIndex negative', 400, get('/locks/hostile?minIndex=-1')],
  ['an unknown consistency', 400, get('/locks/hostile?consistency=eventual')],
  ['a keepalive of an unknown session', 404, post(`/sessions/${'ab'.repeat(16)}/keepalive`, '{}')],
  ['a keepalive of a malformed session id', 400, post('/sessions/not-a-session/keepalive', '{}')],
  ['a session ttlMs below the minimum', 400, post('/sessions', `{"clientId":"${uuid}","ttlMs":1}`)],
  ['an unknown path', 404, get('/admin')],
  [
    'a wrong method',
    404,
    `PUT /locks/hostile HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
  ],
  ['headers over 16 KiB', 431, `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`],
];

describe('hostile input', () => {
  let cluster: LocalCluster;
  let node: NodeHandle;

  beforeAll(async () => {
    cluster = await LocalCluster.start({ size: 1, env: LIMITS });
    node = cluster.nodes[0];
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  const ownerOf = async (name: string) =>
    ((await request(node.url).get(`/locks/${name}`)).body as { owner: string | null }).owner;
  const openSession = async (clientId: string) =>
    (
      (await request(node.url).post('/sessions').send({ clientId, ttlMs: 60_000 })).body as {
        sessionId: string;
      }
    ).sessionId;

  const rssKb = () =>
    Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${node.process?.pid}/status`, 'utf8'))?.[1]);

  async function expectServing(): Promise<void> {
    expect(node.process).not.toBeNull();
    await request(node.url).get('/health').expect(200);
    const clientId = newClientId();
    const res = await request(node.url)
      .post(`/locks/still-${clientId.slice(0, 8)}/preempt`)
      .send({ clientId });
    expect(res.status).toBe(200);
  }

  it(`has at least 30 HTTP cases (${HTTP_CASES.length})`, () => {
    expect(HTTP_CASES.length).toBeGreaterThanOrEqual(30);
  });

  describe('over HTTP', () => {
    it.each(HTTP_CASES)('%s gets a clear %i, without a stack trace', async (_what, expected, bytes) => {
      const answer = await rawHttp('127.0.0.1', node.httpPort, bytes);
      expect(answer.status).toBe(expected);
      expect(answer.text).not.toMatch(/\n\s+at .+:\d+:\d+/);
      if (expected === 400) expect(answer.text).toMatch(/"message"/);
    });

    it('took no lock for any refused request, and still serves', async () => {
      expect(await ownerOf('hostile')).toBeNull();
      await expectServing();
    });

    it('handles a lock named __proto__ as any other name', async () => {
      const clientId = newClientId();
      const res = await request(node.url).post('/locks/__proto__/preempt').send({ clientId });
      expect(res.status).toBe(200);
      expect(await ownerOf('__proto__')).toBe(clientId);
      expect(await ownerOf('constructor')).toBeNull();
    });

    it('refuses a release with the wrong session: 409, and the lock stays held', async () => {
      const clientId = newClientId();
      const session = await openSession(clientId);
      await request(node.url).post('/locks/owned/preempt').send({ clientId, sessionId: session }).expect(200);
      const other = await openSession(clientId);
      const wrong = await request(node.url).post('/locks/owned/release').send({ clientId, sessionId: other });
      expect(wrong.status).toBe(409);
      const none = await request(node.url).post('/locks/owned/release').send({ clientId });
      expect(none.status).toBe(409);
      expect(await ownerOf('owned')).toBe(clientId);
    });

    it('closes a connection whose headers trickle in (slowloris) after the headers timeout', async () => {
      const socket = connect(node.httpPort, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.write('GET /health HTTP/1.1\r\nHost: x\r\n');
      const drip = setInterval(() => socket.write('X-a: b\r\n'), 200);
      const closedAfter = await closedWithin(socket, 15_000);
      clearInterval(drip);
      expect(closedAfter).not.toBeNull();
      await expectServing();
    });

    it('answers 408 or closes a request whose body never completes (slow body)', async () => {
      const answer = await rawHttp(
        '127.0.0.1',
        node.httpPort,
        'POST /locks/slow/preempt HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"cli',
        15_000,
      );
      expect(answer.closed).toBe(true);
      expect([408, 400, null]).toContain(answer.status);
      await expectServing();
    });

    it('closes an idle keep-alive connection after the keep-alive timeout', async () => {
      const socket = connect(node.httpPort, '127.0.0.1');
      socket.on('error', () => undefined);
      let answered = false;
      socket.on('data', () => (answered = true));
      socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
      expect(await closedWithin(socket, 15_000)).not.toBeNull();
      expect(answered).toBe(true);
    });

    it('refuses connections beyond the cap, and serves again once they go', async () => {
      const sockets: Socket[] = [];
      const closed: Promise<number | null>[] = [];
      for (let i = 0; i < 60; i++) {
        const s = connect(node.httpPort, '127.0.0.1');
        s.on('error', () => undefined);
        sockets.push(s);
        closed.push(closedWithin(s, 2000));
      }
      const early = (await Promise.all(closed)).filter((t) => t !== null).length;
      expect(early).toBeGreaterThanOrEqual(20);
      for (const s of sockets) s.destroy();
      await waitFor(
        'the node to serve again',
        async () => (await request(node.url).get('/health')).status === 200,
      );
    });
  });

  describe('over TCP', () => {
    /** Sends bytes to the TCP port; resolves with whatever came back once the node closes the connection. */
    function tcpExchange(
      bytes: string | Buffer,
      waitMs = 10_000,
    ): Promise<{ closed: boolean; reply: string }> {
      return new Promise((resolve) => {
        const socket = connect(node.port, '127.0.0.1');
        let reply = '';
        socket.on('error', () => undefined);
        socket.on('data', (chunk: Buffer) => (reply += chunk.toString()));
        const timer = setTimeout(() => {
          socket.destroy();
          resolve({ closed: false, reply });
        }, waitMs);
        socket.on('close', () => {
          clearTimeout(timer);
          resolve({ closed: true, reply });
        });
        socket.write(bytes);
      });
    }

    const frame = (body: string) => `${Buffer.byteLength(body)}#${body}`;

    it.each([
      ['random binary', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) % 256))],
      ['an HTTP request', 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'],
      ['a non-numeric length', 'abc#{}'],
      ['a negative length', '-5#{"pattern":"locks.check"}'],
      ['a fractional length', '1.5#{}'],
      ['a huge length and nothing after it', '999999999#'],
      ['a stream with no # at all', 'x'.repeat(64 * 1024)],
      [
        'a frame over 1 MiB',
        frame(JSON.stringify({ pattern: 'locks.check', id: '1', data: { name: 'x'.repeat(1100 * 1024) } })),
      ],
      ['invalid JSON in a valid frame', frame('{oops')],
      ['half a frame, then silence', '200#{"pattern":'],
    ])('%s: the node closes the connection (or answers an error) and keeps serving', async (_what, bytes) => {
      const result = await tcpExchange(bytes);
      expect(result.closed || /err/i.test(result.reply)).toBe(true);
      await expectServing();
    });

    it('answers an unknown pattern with an error and executes nothing', async () => {
      const result = await tcpExchange(
        frame(JSON.stringify({ pattern: 'locks.nuke', id: '7', data: {} })),
        3000,
      );
      expect(result.reply).toMatch(/no matching message handler/i);
    });

    it('closes a half-open connection that never sends anything after the idle timeout', async () => {
      const socket = connect(node.port, '127.0.0.1');
      socket.on('error', () => undefined);
      expect(await closedWithin(socket, 15_000)).not.toBeNull();
    });

    it('caps a flood of connections, keeps memory bounded, and keeps serving', async () => {
      const before = rssKb();
      const sockets: Socket[] = [];
      const closed: Promise<number | null>[] = [];
      for (let i = 0; i < 80; i++) {
        const s = connect(node.port, '127.0.0.1');
        s.on('error', () => undefined);
        s.write('100#{"pattern":');
        sockets.push(s);
        closed.push(closedWithin(s, 1500));
      }
      const early = (await Promise.all(closed)).filter((t) => t !== null).length;
      expect(early).toBeGreaterThanOrEqual(30);
      for (const s of sockets) s.destroy();
      await expectServing();
      expect(rssKb() - before).toBeLessThan(50 * 1024);
    });
  });
});
