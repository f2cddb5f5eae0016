import { Module } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ClientTCP } from '@nestjs/microservices';
import { MessagePatterns } from '@app/protocol';
import type { ClusterStatus, MessagePattern } from '@app/protocol';
import { ReplicaModule, parseNodeOptions } from '@app/replica';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, take, toArray } from 'rxjs';
import { freePort } from '../../../test/support/free-port';
import { waitFor } from '../../../test/support/wait-for';
import { bootstrapNode } from './bootstrap-node';
import { LockApiModule } from './lock-api.module';

@Module({})
class SingleNodeModule {}

const ALICE = '2b1f7f3e-0c56-5d0a-9a57-3f7d2c1e8b40';
const BOB = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

interface Answer {
  status: number;
  body: unknown;
  headers: Headers;
}

/**
 * One real node in this process (a one-member cluster: it elects itself), with its WAL in a
 * temporary directory, driven over its real HTTP and TCP ports: the lock API end to end,
 * from the edge (validation, status codes) through the CQRS handlers to the applied state.
 */
describe('a one-node cluster in process', () => {
  let app: NestExpressApplication;
  let dataDir: string;
  let base: string;
  let tcp: ClientTCP;

  async function call(method: string, path: string, body?: unknown): Promise<Answer> {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const json = res.headers.get('content-type')?.includes('json') ?? false;
    return { status: res.status, body: json ? (JSON.parse(text) as unknown) : text, headers: res.headers };
  }

  const post = (path: string, body: unknown = {}) => call('POST', path, body);
  const get = (path: string) => call('GET', path);
  const rpc = <T>(pattern: MessagePattern, payload: object) => firstValueFrom(tcp.send<T>(pattern, payload));
  const rpcError = (pattern: MessagePattern, payload: object) =>
    rpc(pattern, payload).then(
      () => {
        throw new Error(`${pattern} was expected to fail`);
      },
      (err: unknown) => err,
    );

  const logLevel = process.env.LATCHKEY_LOG_LEVEL;

  beforeAll(async () => {
    // The node's own log lines would drown the test report; its warnings still show.
    process.env.LATCHKEY_LOG_LEVEL = 'warn';
    dataDir = await mkdtemp(join(tmpdir(), 'latchkey-node-spec-'));
    const [port, httpPort] = [await freePort(), await freePort()];
    const argv = ['--id', 'n1', '--port', `${port}`, '--http-port', `${httpPort}`, '--data-dir', dataDir];
    // Short timeouts, so that a one-member cluster elects itself at once.
    argv.push('--election-timeout-min-ms', '100', '--election-timeout-max-ms', '200', '--heartbeat-ms', '20');
    const options = parseNodeOptions('leader', argv, {});
    app = await bootstrapNode(
      { module: SingleNodeModule, imports: [ReplicaModule.forRoot(options), LockApiModule] },
      options,
    );
    base = `http://127.0.0.1:${httpPort}`;
    tcp = new ClientTCP({ host: '127.0.0.1', port });
    await waitFor('the node to lead', async () => {
      const { body } = await get('/cluster');
      return (body as ClusterStatus).role === 'leader';
    });
  });

  afterAll(async () => {
    tcp?.close();
    await app?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    if (logLevel === undefined) delete process.env.LATCHKEY_LOG_LEVEL;
    else process.env.LATCHKEY_LOG_LEVEL = logLevel;
  });

  it('grants a free lock, refuses a held one with 409, and releases it for its owner only', async () => {
    const granted = await post('/locks/build/preempt', { clientId: ALICE });
    expect(granted).toMatchObject({ status: 200, body: { name: 'build', acquired: true, owner: ALICE } });
    const token = (granted.body as { fencingToken: number }).fencingToken;
    expect(await post('/locks/build/preempt', { clientId: ALICE })).toMatchObject({
      status: 200,
      body: { acquired: true, fencingToken: token },
    });
    expect(await post('/locks/build/preempt', { clientId: BOB })).toMatchObject({
      status: 409,
      body: { acquired: false, owner: ALICE, fencingToken: token },
    });
    expect(await get('/locks/build')).toMatchObject({
      status: 200,
      body: { owner: ALICE, fencingToken: token },
    });
    expect(await get('/locks/build?consistency=linearizable')).toMatchObject({ body: { owner: ALICE } });
    expect(await get('/locks?prefix=bui')).toMatchObject({
      body: [{ name: 'build', owner: ALICE, fencingToken: token }],
    });
    expect(await get('/locks?prefix=zzz')).toMatchObject({ body: [] });
    expect(await post('/locks/build/release', { clientId: BOB })).toMatchObject({
      status: 409,
      body: { released: false },
    });
    expect(await post('/locks/build/release', { clientId: ALICE })).toMatchObject({
      status: 200,
      body: { released: true },
    });
    expect(await get('/locks/build')).toMatchObject({ body: { owner: null } });
    const next = await post('/locks/build/preempt', { clientId: BOB });
    expect((next.body as { fencingToken: number }).fencingToken).toBeGreaterThan(token);
    await post('/locks/build/release', { clientId: BOB });
  });

  it('answers bad input with a 400 naming the field, never a 500', async () => {
    expect(await post('/locks/has%20space/preempt', { clientId: ALICE })).toMatchObject({ status: 400 });
    expect(await post('/locks/x/preempt', {})).toMatchObject({ status: 400 });
    expect(await post('/locks/x/preempt', { clientId: 'not-a-uuid' })).toMatchObject({ status: 400 });
    expect(await post('/locks/x/preempt', { clientId: ALICE, extra: 1 })).toMatchObject({ status: 400 });
    expect(await post('/locks/x/preempt', { clientId: ALICE, ttlMs: -5 })).toMatchObject({ status: 400 });
    expect(await get('/locks/x?consistency=sometimes')).toMatchObject({ status: 400 });
    expect(await post('/sessions/not-a-session/keepalive')).toMatchObject({ status: 400 });
    expect(await call('DELETE', '/cluster/members/bad%20id')).toMatchObject({ status: 400 });
    const prototype = await call('POST', '/locks/x/preempt', undefined);
    expect(prototype.status).toBeGreaterThanOrEqual(400);
    expect(prototype.status).toBeLessThan(500);
  });

  it('frees a TTL lock once its time is up', async () => {
    expect(await post('/locks/ttl/preempt', { clientId: ALICE, ttlMs: 1000 })).toMatchObject({
      status: 200,
      body: { acquired: true },
    });
    await waitFor('the TTL lock to expire', async () => {
      const { body } = await get('/locks/ttl');
      return (body as { owner: string | null }).owner === null;
    });
    expect(await post('/locks/ttl/preempt', { clientId: BOB })).toMatchObject({ body: { acquired: true } });
  });

  it('grants a waiting preempt in FIFO order when the holder releases', async () => {
    await post('/locks/queue/preempt', { clientId: ALICE });
    const waiting = post('/locks/queue/preempt', { clientId: BOB, waitMs: 30_000 });
    // The waiter is queued on the leader before the release is sent.
    await waitFor('the waiter to be queued', async () => {
      const { body } = await get('/locks/queue');
      return (body as { waiters: number }).waiters === 1;
    });
    expect(await post('/locks/queue/release', { clientId: ALICE })).toMatchObject({ status: 200 });
    expect(await waiting).toMatchObject({ status: 200, body: { acquired: true, owner: BOB } });
    expect(await post('/locks/queue/preempt', { clientId: ALICE, waitMs: 1 })).toMatchObject({
      status: 409,
      body: { acquired: false, owner: BOB },
    });
  });

  it('frees the locks of a session when it is closed, and forgets the session', async () => {
    const opened = await post('/sessions', { clientId: ALICE, ttlMs: 10_000 });
    expect(opened).toMatchObject({ status: 201, body: { clientId: ALICE, ttlMs: 10_000 } });
    const { sessionId } = opened.body as { sessionId: string };
    expect(await post(`/sessions/${sessionId}/keepalive`)).toMatchObject({ status: 200 });
    expect(await post('/locks/session-lock/preempt', { clientId: ALICE, sessionId })).toMatchObject({
      body: { acquired: true },
    });
    // A session lock is released only with its session.
    expect(await post('/locks/session-lock/release', { clientId: ALICE })).toMatchObject({ status: 409 });
    expect(await call('DELETE', `/sessions/${sessionId}`)).toMatchObject({
      status: 200,
      body: { sessionId, closed: true },
    });
    expect(await get('/locks/session-lock')).toMatchObject({ body: { owner: null } });
    expect(await post(`/sessions/${sessionId}/keepalive`)).toMatchObject({ status: 404 });
    expect(await call('DELETE', `/sessions/${sessionId}`)).toMatchObject({ status: 404 });
    expect(await post('/locks/session-lock/preempt', { clientId: ALICE, sessionId })).toMatchObject({
      status: 404,
    });
  });

  it('reports its cluster, health, readiness, metrics and dashboard', async () => {
    expect(await get('/cluster')).toMatchObject({
      status: 200,
      body: { id: 'n1', role: 'leader', leaderId: 'n1', members: [expect.objectContaining({ id: 'n1' })] },
    });
    expect(await get('/health')).toMatchObject({
      status: 200,
      body: { status: 'ok', id: 'n1', leaderId: 'n1' },
    });
    expect((await get('/health/ready')).status).toBe(200);
    const metrics = await get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toEqual(expect.stringContaining('latchkey_'));
    expect(await get('/')).toMatchObject({ status: 200, body: expect.stringContaining('<html') });
    expect((await get('/dashboard/dashboard.js')).status).toBe(200);
    expect((await get('/dashboard/dashboard.css')).status).toBe(200);
    // The last member cannot be removed; an unknown one is not found.
    expect((await call('DELETE', '/cluster/members/n1')).status).toBe(400);
    expect((await call('DELETE', '/cluster/members/n9')).status).toBe(404);
  });

  it('serves the same operations over TCP, with errors as RPC error bodies', async () => {
    expect(await rpc(MessagePatterns.preempt, { name: 'tcp', clientId: ALICE, requestId: 1 })).toMatchObject({
      acquired: true,
      owner: ALICE,
    });
    // A retried request (same requestId) is answered the same, not applied twice.
    const again = await rpc(MessagePatterns.preempt, { name: 'tcp', clientId: ALICE, requestId: 1 });
    expect(again).toMatchObject({ acquired: true });
    expect(await rpc(MessagePatterns.check, { name: 'tcp' })).toMatchObject({ owner: ALICE, servedBy: 'n1' });
    expect(await rpc(MessagePatterns.check, { name: 'tcp', consistency: 'linearizable' })).toMatchObject({
      owner: ALICE,
    });
    expect(await rpc(MessagePatterns.list, { prefix: 'tc' })).toEqual([
      expect.objectContaining({ name: 'tcp', owner: ALICE }),
    ]);
    expect(await rpc(MessagePatterns.readIndex, {})).toEqual(expect.anything());
    expect(await rpc(MessagePatterns.release, { name: 'tcp', clientId: ALICE, requestId: 2 })).toMatchObject({
      released: true,
    });
    expect(await rpc(MessagePatterns.clusterStatus, {})).toMatchObject({ id: 'n1', role: 'leader' });
    const session = await rpc<{ sessionId: string }>(MessagePatterns.openSession, { clientId: BOB });
    expect(await rpc(MessagePatterns.keepAlive, { sessionId: session.sessionId })).toMatchObject({
      ttlMs: expect.any(Number),
    });
    expect(await rpc(MessagePatterns.closeSession, { sessionId: session.sessionId })).toMatchObject({
      closed: true,
    });
    expect(await rpcError(MessagePatterns.preempt, { name: 'bad name', clientId: ALICE })).toMatchObject({
      code: 'bad_request',
    });
    expect(await rpcError(MessagePatterns.keepAlive, { sessionId: session.sessionId })).toMatchObject({
      code: 'not_found',
    });
    expect(await rpcError(MessagePatterns.removeMember, { id: 'n9' })).toMatchObject({ code: 'not_found' });
    expect(await rpcError(MessagePatterns.join, { nonsense: true })).toMatchObject({ code: 'bad_request' });
    expect(await rpc(MessagePatterns.lockActivity, {})).toEqual(expect.anything());
  });

  it('streams the changes of a watched lock over TCP', async () => {
    const events = firstValueFrom(
      tcp
        .send<{ type: string; owner: string | null }>(MessagePatterns.watch, { name: 'watched' })
        .pipe(take(2), toArray()),
    );
    await waitFor('the watch to see a grant', async () => {
      await post('/locks/watched/preempt', { clientId: ALICE });
      await post('/locks/watched/release', { clientId: ALICE });
      return Promise.race([events, new Promise<false>((resolve) => setImmediate(() => resolve(false)))]);
    });
    const seen = await events;
    expect(seen.map((event) => event.type)).toEqual(expect.arrayContaining(['granted']));
  });
});
