import { ClientProxyFactory, Transport, type ClientProxy } from '@nestjs/microservices';
import { Socket } from 'node:net';
import { firstValueFrom, timeout } from 'rxjs';
import request from 'supertest';
import { newClientId } from './support/client-ids';
import { grant } from './support/cluster-state';
import { LocalCluster, type NodeHandle } from './support/local-cluster';
import { waitFor } from './support/wait-for';
import { messageOf } from './support/message-of';

jest.setTimeout(60_000);

// Bad input gets a 400 that names the field, an oversized body a 413, and nothing a
// client sends can crash a node (ARCHITECTURE.md, "Validation").
describe('bad input', () => {
  let cluster: LocalCluster;
  let n1: NodeHandle, n2: NodeHandle, n3: NodeHandle;

  beforeAll(async () => {
    // Without a cluster secret: the forged replication messages below must reach the core
    // (the gate that refuses unsealed ones is tested in peer-authentication.e2e-spec.ts).
    cluster = await LocalCluster.start({ size: 3, env: { LATCHKEY_CLUSTER_SECRET: '' } });
    [n1, n2, n3] = cluster.nodes;
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  async function expectEveryNodeServes(): Promise<void> {
    for (const node of cluster.nodes) {
      expect(node.process).not.toBeNull();
      await request(node.url).get('/health').expect(200);
    }
  }

  describe('over HTTP', () => {
    it.each([
      ['too long', 'a'.repeat(129)],
      ['a space', 'a%20b'],
      ['a non-ASCII letter', '%C3%A4'],
      ['a slash-free but bad character', 'lock%24'],
    ])('refuses a lock name with %s: 400 naming the name', async (_what, encoded) => {
      for (const [node, path] of [
        [n1, 'preempt'],
        [n2, 'release'],
      ] as const) {
        const res = await request(node.url)
          .post(`/locks/${encoded}/${path}`)
          .send({ clientId: newClientId() });
        expect(res.status).toBe(400);
        expect(messageOf(res)).toMatch(/\bname\b/);
      }
      const check = await request(n3.url).get(`/locks/${encoded}`);
      expect(check.status).toBe(400);
      expect(messageOf(check)).toMatch(/\bname\b/);
    });

    it('accepts a name of exactly 128 characters', async () => {
      const clientId = newClientId();
      expect(await grant(n2.url, 'b'.repeat(128), clientId)).toMatchObject({ owner: clientId });
    });

    it.each([
      ['missing', {}],
      ['not a UUID', { clientId: 'alice' }],
      ['a number', { clientId: 42 }],
      ['null', { clientId: null }],
    ])('refuses a clientId that is %s: 400 mentioning clientId', async (_what, body) => {
      for (const [node, path] of [
        [n1, 'preempt'],
        [n2, 'preempt'],
        [n3, 'release'],
      ] as const) {
        const res = await request(node.url).post(`/locks/good-name/${path}`).send(body);
        expect(res.status).toBe(400);
        expect(messageOf(res)).toContain('clientId');
      }
    });

    it('refuses a malformed JSON body: 400 saying it is not JSON', async () => {
      const res = await request(n2.url)
        .post('/locks/good-name/preempt')
        .set('Content-Type', 'application/json')
        .send('{"clientId":');
      expect(res.status).toBe(400);
      expect(messageOf(res)).toMatch(/JSON/);
    });

    it('refuses a 1 MiB body: 413', async () => {
      const body = JSON.stringify({ clientId: newClientId(), padding: 'x'.repeat(1024 * 1024) });
      const res = await request(n3.url)
        .post('/locks/good-name/preempt')
        .set('Content-Type', 'application/json')
        .send(body);
      expect(res.status).toBe(413);
      expect(messageOf(res)).toMatch(/too large/i);
    });

    it.each([
      ['preempt', { sessionId: 'abc' }, 'sessionId must be 32 lowercase hex characters'],
      // One wording per rule (libs/protocol), the same over HTTP and TCP.
      ['preempt', { ttlMs: 999 }, 'ttlMs must be an integer from 1000 to 600000'],
      ['preempt', { ttlMs: 600001 }, 'ttlMs must be an integer from 1000 to 600000'],
      ['preempt', { ttlMs: 'soon' }, 'ttlMs must be an integer from 1000 to 600000'],
      ['preempt', { ttlMs: 1500.5 }, 'ttlMs must be an integer from 1000 to 600000'],
      ['preempt', { waitMs: -1 }, 'waitMs must be an integer from 0 to 300000'],
      ['preempt', { waitMs: 300001 }, 'waitMs must be an integer from 0 to 300000'],
      ['preempt', { requestId: 0 }, 'requestId must be a positive integer'],
      ['release', { sessionId: 'abc' }, 'sessionId must be 32 lowercase hex characters'],
    ])('refuses %s with %j: 400 naming the field', async (path, extra, message) => {
      const res = await request(n1.url)
        .post(`/locks/good-name/${path}`)
        .send({ clientId: newClientId(), ...extra });
      expect(res.status).toBe(400);
      expect(messageOf(res)).toContain(message);
    });

    it('refuses an unknown extra field: 400 naming it', async () => {
      for (const path of ['preempt', 'release']) {
        const res = await request(n2.url)
          .post(`/locks/good-name/${path}`)
          .send({ clientId: newClientId(), colour: 'red' });
        expect(res.status).toBe(400);
        expect(messageOf(res)).toContain('colour');
      }
    });

    it.each([['a b'], ['ä'], ['x/y'], ['p'.repeat(129)]])(
      'refuses GET /locks?prefix=%j: 400 naming prefix',
      async (prefix) => {
        const res = await request(n3.url).get('/locks').query({ prefix });
        expect(res.status).toBe(400);
        expect(messageOf(res)).toContain('prefix');
      },
    );

    it('changed nothing: no refused request took a lock', async () => {
      const held = (await request(n1.url).get('/locks').expect(200)).body.map(
        (l: { name: string }) => l.name,
      );
      expect(held).toEqual(['b'.repeat(128)]);
      await expectEveryNodeServes();
    });
  });

  describe('over TCP', () => {
    const clients: ClientProxy[] = [];
    const tcpClient = (node: NodeHandle) => {
      const client = ClientProxyFactory.create({
        transport: Transport.TCP,
        options: { host: '127.0.0.1', port: node.port },
      });
      clients.push(client);
      return client;
    };
    const rpc = (client: ClientProxy, pattern: string, data: unknown) =>
      firstValueFrom(client.send(pattern, data).pipe(timeout(5000)));

    afterAll(async () => {
      for (const client of clients) await client.close();
    });

    it('answers an unknown pattern with an RPC error and keeps serving', async () => {
      const client = tcpClient(n2);
      await expect(rpc(client, 'locks.steal', { name: 'x' })).rejects.toMatch(/no matching message handler/);
      const clientId = newClientId();
      await expect(
        rpc(client, 'locks.preempt', { name: 'tcp-after-unknown', clientId }),
      ).resolves.toMatchObject({ acquired: true, owner: clientId });
    });

    it.each([
      ['a bad name', { name: 'a b', clientId: newClientId() }, /\bname\b/],
      ['a too long name', { name: 'n'.repeat(129), clientId: newClientId() }, /\bname\b/],
      ['a bad clientId', { name: 'tcp-ok', clientId: 'bob' }, /clientId/],
      ['a numeric clientId', { name: 'tcp-ok', clientId: 7 }, /clientId/],
      ['no clientId', { name: 'tcp-ok' }, /clientId/],
      [
        'a malformed sessionId',
        { name: 'tcp-ok', clientId: newClientId(), sessionId: 's' },
        /sessionId must be 32 lowercase hex/,
      ],
      [
        'a ttlMs out of range',
        { name: 'tcp-ok', clientId: newClientId(), ttlMs: 5 },
        /ttlMs must be an integer from 1000 to 600000/,
      ],
      [
        'a requestId of 0',
        { name: 'tcp-ok', clientId: newClientId(), requestId: 0 },
        /requestId must be a positive integer/,
      ],
      ['an array payload', [1, 2], /payload/],
    ])(
      'answers locks.preempt with %s with { code: bad_request, message }',
      async (_what, payload, message) => {
        for (const node of [n1, n3]) {
          const error = await rpc(tcpClient(node), 'locks.preempt', payload).then(
            () => 'resolved',
            (e: unknown) => e,
          );
          expect(error).toEqual({ code: 'bad_request', message: expect.stringMatching(message) });
        }
      },
    );

    it('survives garbage bytes written straight to the TCP port', async () => {
      const garbage = [
        Buffer.from([0x00, 0x01, 0x02, 0xff, 0xfe, 0x23, 0x23]),
        Buffer.from('abc#def'),
        Buffer.from('5#abcde'),
        Buffer.from('4#null'),
        Buffer.from('2#[]'),
        Buffer.from('25#{"pattern":null,"id":1}'),
        Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
        Buffer.from('99999999#{"pattern":"locks.list"'),
      ];
      for (const node of [n1, n2]) {
        for (const bytes of garbage) {
          const socket = new Socket();
          socket.on('error', () => undefined);
          await new Promise<void>((resolve, reject) => {
            socket.once('error', reject);
            socket.connect(node.port, '127.0.0.1', () => resolve());
          });
          await new Promise<void>((resolve) => socket.write(bytes, () => resolve()));
          socket.destroy();
          await request(node.url).get('/health').expect(200);
        }
        // The transport still speaks to a well-behaved client afterwards.
        await expect(rpc(tcpClient(node), 'locks.check', { name: 'nothing-here' })).resolves.toMatchObject({
          owner: null,
          servedBy: node.id,
        });
      }
      await expectEveryNodeServes();
    });

    it('drops a malformed replication.message event and keeps serving', async () => {
      for (const node of [n1, n2]) {
        const client = tcpClient(node);
        // (null is refused by the Nest client itself before it is sent.)
        const forgedEntry = { index: 999, term: 1, leaderTimeMs: 0 }; // no body: would break apply
        const events = [
          {},
          'hello',
          [],
          42,
          { message: { type: 'appendEntries' } },
          { fromTcpAddress: 'x', message: { type: 'nonsense', from: 'n1', to: 'n2', term: 1 } },
          // A malformed sender address must not reach the node's reply path.
          {
            fromTcpAddress: 'garbage',
            message: {
              type: 'requestVote',
              from: 'zz',
              to: node.id,
              term: 0,
              lastLogIndex: 0,
              lastLogTerm: 0,
            },
          },
          {
            fromTcpAddress: '127.0.0.1:1',
            message: {
              type: 'appendEntries',
              from: 'n9',
              to: node.id,
              term: 1,
              prevLogIndex: 998,
              prevLogTerm: 1,
              entries: [forgedEntry],
              leaderCommit: 999,
            },
          },
        ];
        for (const event of events) {
          await firstValueFrom(client.emit('replication.message', event));
        }
        await waitFor(`${node.id} to log the dropped message`, () =>
          cluster.tail(node.id, 500).includes('dropped a malformed replication message'),
        );
        const clientId = newClientId();
        expect(await grant(node.url, `after-bad-peer-${node.id}`, clientId)).toMatchObject({
          owner: clientId,
        });
      }
      await expectEveryNodeServes();
    });
  });

  describe('Swagger', () => {
    it('serves the Swagger UI at /docs', async () => {
      const res = await request(n2.url).get('/docs').expect(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.text).toMatch(/swagger-ui/i);
    });

    it('serves an OpenAPI document at /docs-json with every path and the preempt 200 and 409 schemas', async () => {
      const doc = (await request(n3.url).get('/docs-json').expect(200)).body;
      expect(doc.openapi).toMatch(/^3\./);
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining([
          '/locks/{name}/preempt',
          '/locks/{name}/release',
          '/locks/{name}',
          '/locks',
          '/cluster',
          '/health',
        ]),
      );
      const preempt = doc.paths['/locks/{name}/preempt'].post;
      const schemaOf = (status: string) => {
        const schema = preempt.responses[status]?.content?.['application/json']?.schema;
        const ref: string | undefined = schema?.$ref;
        return ref ? doc.components.schemas[ref.replace('#/components/schemas/', '')] : schema;
      };
      for (const status of ['200', '409']) {
        expect(schemaOf(status)?.properties).toEqual(
          expect.objectContaining({
            name: expect.anything(),
            acquired: expect.anything(),
            owner: expect.anything(),
            fencingToken: expect.anything(),
          }),
        );
      }
      expect(Object.keys(preempt.responses)).toEqual(
        expect.arrayContaining(['200', '400', '409', '413', '503']),
      );
    });
  });

  it('still serves on every node after all of it: /health 200 and a preempt works', async () => {
    await expectEveryNodeServes();
    for (const node of cluster.nodes) {
      const clientId = newClientId();
      expect(await grant(node.url, `still-serving-${node.id}`, clientId)).toEqual({
        name: `still-serving-${node.id}`,
        owner: clientId,
        fencingToken: expect.any(Number),
      });
    }
  });

  // Peers and clients share the TCP port, so anyone who can reach it can send a
  // replication.message. One that is well typed but impossible must be dropped like `{}`.
  it('drops a forged appendEntriesReply claiming a matchIndex beyond the leader log, and the leader keeps serving', async () => {
    const leader = await cluster.leader();
    const follower = cluster.running().find((n) => n.id !== leader.id)!;
    // In the cluster's own id, so that it passes the gate of an unauthenticated cluster.
    const { term, lastIndex, members, clusterId } = (await request(leader.url).get('/cluster').expect(200))
      .body;
    // The follower's own storage identity: the reply is well formed in every field.
    const { storageId } = members.find((m: { id: string }) => m.id === follower.id);
    const client = ClientProxyFactory.create({
      transport: Transport.TCP,
      options: { host: '127.0.0.1', port: leader.port },
    });
    try {
      await firstValueFrom(
        client.emit('replication.message', {
          clusterId,
          fromTcpAddress: follower.tcpAddress,
          message: {
            type: 'appendEntriesReply',
            from: follower.id,
            to: leader.id,
            term,
            success: true,
            matchIndex: lastIndex + 100_000,
            lastLogIndex: lastIndex,
            storageId,
          },
        }),
      );
      // One connection is served in order: once this answers, the forged reply was handled.
      await firstValueFrom(client.send('cluster.status', {}).pipe(timeout(5000)));
    } finally {
      await client.close();
    }
    // A healthy leader answers a write within its request timeout (5 s by default), and goes
    // on replicating to the member named in the forged reply.
    const clientId = newClientId();
    const answer = await request(leader.url)
      .post('/locks/after-forged-reply/preempt')
      .send({ clientId })
      .timeout(7000)
      .then(
        (res) => ({ status: res.status, owner: res.body.owner }),
        (error: Error) => ({
          error: error.message,
          leaderRunning: leader.process !== null,
          leaderLog: cluster.tail(leader.id, 12),
        }),
      );
    // A leader that did not answer may be spinning a CPU: stop it (by PID) before failing.
    if (!('status' in answer)) await cluster.kill(leader.id, 'SIGKILL');
    expect(answer).toEqual({ status: 200, owner: clientId });
    await waitFor(
      `${follower.id} to apply the write`,
      async () =>
        (await request(follower.url).get('/locks/after-forged-reply').timeout(2000)).body.owner === clientId,
      { timeoutMs: 10_000 },
    );
    await expectEveryNodeServes();
  });
});
