import { Logger, type INestApplication, type INestMicroservice } from '@nestjs/common';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../../test/support/wait-for';
import { fakeLocks } from '../../../test/support/fake-lock-service';
import { RpcPeer } from './common/rpc-peer';
import {
  TwoPcPatterns,
  type OutcomeReply,
  type PrepareReply,
  type ReplicaStatus,
} from './common/twopc-messages';
import { COORDINATOR_LOCK, type CoordinatorOptions } from './coordinator/coordinator-options';
import { startCoordinator } from './coordinator/start-coordinator';
import { freePort } from './launcher/free-port';
import { replicaLockName, type ReplicaOptions } from './replica/replica-options';
import { startReplica } from './replica/start-replica';

// The services take their locks through the SDK; here the SDK is a lock table in this
// process (test/support/fake-lock-service.ts), so that a test can expire a session or hold back a
// grant at an exact moment. Everything else is real: TCP between coordinators and
// replicas, HTTP to the coordinators, fsync'd logs in a temporary directory.
jest.mock('@app/lock-client', () => {
  const actual = jest.requireActual<typeof import('@app/lock-client')>('@app/lock-client');
  const fake = jest.requireActual<typeof import('../../../test/support/fake-lock-service')>(
    '../../../test/support/fake-lock-service',
  );
  return { ...actual, LockClient: fake.FakeLockClient };
});

const HOST = '127.0.0.1';
const REPLICA_IDS = ['r1', 'r2', 'r3'] as const;
type ReplicaId = (typeof REPLICA_IDS)[number];

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

async function http(method: string, url: string, body?: unknown): Promise<Answer> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as Record<string, unknown>, headers: res.headers };
}

describe('two-phase commit register (coordinators and replicas in this process)', () => {
  let root: string;
  const replicaPorts = new Map<ReplicaId, number>();
  const replicas = new Map<ReplicaId, INestMicroservice>();
  const coordinators = new Map<string, { app: INestApplication; url: string }>();
  const peers: RpcPeer[] = [];
  let coordinatorUrls: string[] = [];

  function replicaOptions(id: ReplicaId, abortProbability = 0): ReplicaOptions {
    const address = (r: ReplicaId) => `${HOST}:${replicaPorts.get(r)}`;
    return {
      id,
      host: HOST,
      port: replicaPorts.get(id)!,
      dataDir: join(root, id),
      servers: ['127.0.0.1:1'],
      peers: new Map(REPLICA_IDS.filter((r) => r !== id).map((r) => [r, address(r)])),
      coordinators: coordinatorUrls,
      abortProbability,
      decisionTimeoutMs: 300,
      sessionTtlMs: 1000,
    };
  }

  async function coordinatorOptions(id: string): Promise<CoordinatorOptions> {
    return {
      id,
      host: HOST,
      httpPort: await freePort(HOST),
      servers: ['127.0.0.1:1'],
      replicas: new Map(REPLICA_IDS.map((r) => [r, `${HOST}:${replicaPorts.get(r)}`])),
      logDir: join(root, 'decisions'),
      voteTimeoutMs: 5000,
      sessionTtlMs: 1000,
      standby: true,
    };
  }

  async function startCoordinatorNamed(id: string, options: CoordinatorOptions): Promise<string> {
    const app = await startCoordinator(options);
    const url = `http://${HOST}:${options.httpPort}`;
    coordinators.set(id, { app, url });
    return url;
  }

  async function stopCoordinator(id: string): Promise<void> {
    await coordinators.get(id)?.app.close();
    coordinators.delete(id);
  }

  async function restartReplica(id: ReplicaId, abortProbability: number): Promise<void> {
    await replicas.get(id)?.close();
    await waitFor(
      `${replicaLockName(id)} to be free`,
      () => fakeLocks.holderOf(replicaLockName(id)) === undefined,
    );
    replicas.set(id, await startReplica(replicaOptions(id, abortProbability)));
  }

  function url(id: string): string {
    const coordinator = coordinators.get(id);
    if (coordinator === undefined) throw new Error(`no coordinator ${id}`);
    return coordinator.url;
  }

  function peer(id: ReplicaId): RpcPeer {
    const rpc = new RpcPeer(id, `${HOST}:${replicaPorts.get(id)}`);
    peers.push(rpc);
    return rpc;
  }

  async function replicaStatus(id: ReplicaId): Promise<ReplicaStatus> {
    const answer = await peer(id).request<ReplicaStatus>(TwoPcPatterns.status, {}, 5000);
    if (!answer.ok) throw new Error(answer.reason);
    return answer.value;
  }

  async function activeToken(id: string): Promise<number> {
    return waitFor(`${id} to be the active coordinator`, async () => {
      const { body } = await http('GET', `${url(id)}/coordinator`);
      return (
        body.active === true && (body.disconnected as string[]).length === 0 && (body.fencingToken as number)
      );
    });
  }

  async function register(id: string): Promise<{ value: string | null; version: number }> {
    const { body } = await http('GET', `${url(id)}/register`);
    return body as { value: string | null; version: number };
  }

  beforeAll(async () => {
    Logger.overrideLogger(false);
    root = await mkdtemp(join(tmpdir(), 'twopc-spec-'));
    for (const id of REPLICA_IDS) replicaPorts.set(id, await freePort(HOST));
    const c1 = await coordinatorOptions('c1');
    coordinatorUrls = [`http://${HOST}:${c1.httpPort}`];
    for (const id of REPLICA_IDS) replicas.set(id, await startReplica(replicaOptions(id)));
    await startCoordinatorNamed('c1', c1);
    await activeToken('c1');
  });

  afterAll(async () => {
    for (const rpc of peers) rpc.close();
    for (const id of [...coordinators.keys()]) await stopCoordinator(id);
    for (const replica of replicas.values()) await replica.close();
    await rm(root, { recursive: true, force: true });
    Logger.overrideLogger(['log', 'error', 'warn']);
  });

  it('commits a write on every replica and records its votes and decision', async () => {
    const before = await register('c1');
    const write = await http('PUT', `${url('c1')}/register`, { value: 'blue' });
    expect(write.status).toBe(200);
    expect(write.body).toEqual({ committed: true, version: before.version + 1, txId: expect.any(String) });

    const { body: views } = await http('GET', `${url('c1')}/replicas`);
    expect(views).toEqual(
      REPLICA_IDS.map((id) =>
        expect.objectContaining({
          id,
          value: 'blue',
          version: before.version + 1,
          state: 'idle',
          connected: true,
        }),
      ),
    );
    expect(await register('c1')).toEqual({ value: 'blue', version: before.version + 1 });
    const { body: tx } = await http('GET', `${url('c1')}/transactions/${String(write.body.txId)}`);
    expect(tx).toMatchObject({
      value: 'blue',
      coordinatorId: 'c1',
      decision: 'commit',
      votes: { r1: 'yes', r2: 'yes', r3: 'yes' },
      complete: true,
    });
  });

  it('aborts a compare-and-set against a stale version on every replica', async () => {
    const before = await register('c1');
    const write = await http('PUT', `${url('c1')}/register`, {
      value: 'green',
      expectedVersion: before.version + 5,
    });
    expect(write.status).toBe(409);
    expect(write.body).toMatchObject({ committed: false, votes: { r1: 'no', r2: 'no', r3: 'no' } });
    expect(String(write.body.reason)).toContain('no');
    for (const id of REPLICA_IDS) expect(await replicaStatus(id)).toMatchObject(before);
    expect(await register('c1')).toEqual(before);
  });

  it('answers malformed writes and transaction ids with 400 and unknown transactions with 404', async () => {
    const notString = await http('PUT', `${url('c1')}/register`, { value: 5 });
    expect(notString.status).toBe(400);
    expect(JSON.stringify(notString.body)).toContain('value must be a string');
    expect((await http('PUT', `${url('c1')}/register`, { value: 'a', colour: 'red' })).status).toBe(400);
    expect((await http('PUT', `${url('c1')}/register`, { value: 'a', expectedVersion: -1 })).status).toBe(
      400,
    );
    expect((await http('GET', `${url('c1')}/transactions/bad!id`)).status).toBe(400);
    expect((await http('GET', `${url('c1')}/transactions/tx-999-1`)).status).toBe(404);
    const docs = await http('GET', `${url('c1')}/docs-json`);
    expect(Object.keys(docs.body.paths as object)).toContain('/register');
  });

  it('a replica in doubt on a transaction the coordinator never began learns abort (presumed abort)', async () => {
    const token = await activeToken('c1');
    const base = await register('c1');
    const prepare = await peer('r1').request<PrepareReply>(
      TwoPcPatterns.prepare,
      { txId: 'tx-orphan-1', token, value: 'ghost', version: base.version + 1, base },
      5000,
    );
    expect(prepare).toEqual({ ok: true, value: { kind: 'vote', vote: 'yes' } });
    expect((await replicaStatus('r1')).preparedTxId).toBe('tx-orphan-1');

    await waitFor('r1 to resolve tx-orphan-1', async () => (await replicaStatus('r1')).state === 'idle');
    expect(await replicaStatus('r1')).toMatchObject({ ...base, preparedTxId: null });
    const { body: tx } = await http('GET', `${url('c1')}/transactions/tx-orphan-1`);
    expect(tx).toMatchObject({ decision: 'abort', reason: expect.stringContaining('presumed abort') });
    const outcome = await peer('r1').request<OutcomeReply>(
      TwoPcPatterns.outcome,
      { txId: 'tx-orphan-1' },
      5000,
    );
    expect(outcome).toEqual({ ok: true, value: { txId: 'tx-orphan-1', decision: 'abort', vote: 'yes' } });
  });

  it('a replica that lost its membership lock makes writes wait with 503 until it holds the lock again', async () => {
    const lock = replicaLockName('r3');
    fakeLocks.block(lock);
    fakeLocks.expireHolder(lock, true);
    await waitFor('c1 to see r3 disconnected', async () => {
      const { body } = await http('GET', `${url('c1')}/coordinator`);
      return (body.disconnected as string[]).includes('r3');
    });
    const refused = await http('PUT', `${url('c1')}/register`, { value: 'while-r3-is-away' });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.body.message).toBe('not connected: r3');

    fakeLocks.unblock(lock);
    await activeToken('c1');
    const write = await http('PUT', `${url('c1')}/register`, { value: 'r3-is-back' });
    expect(write.status).toBe(200);
  });

  it('a replica restarted from its log keeps its register; one that votes no at random aborts the write', async () => {
    const before = await register('c1');
    await replicas.get('r2')?.close();
    const { body: views } = await http('GET', `${url('c1')}/replicas`);
    expect(views).toContainEqual(
      expect.objectContaining({ id: 'r2', state: 'down', error: expect.any(String) }),
    );

    await restartReplica('r2', 1);
    await activeToken('c1');
    expect(await replicaStatus('r2')).toMatchObject(before);
    const write = await http('PUT', `${url('c1')}/register`, { value: 'never' });
    expect(write.status).toBe(409);
    expect(write.body).toMatchObject({ votes: { r1: 'yes', r2: 'no', r3: 'yes' } });
    expect(String(write.body.reason)).toContain('at random');
    expect(await register('c1')).toEqual(before);

    await restartReplica('r2', 0);
    await activeToken('c1');
    expect((await http('PUT', `${url('c1')}/register`, { value: 'after-restart' })).status).toBe(200);
  });

  it('a standby takes over from a coordinator whose session expired unnoticed, and the old one is fenced out', async () => {
    const c2 = await startCoordinatorNamed('c2', await coordinatorOptions('c2'));
    const standby = await http('PUT', `${c2}/register`, { value: 'from-standby' });
    expect(standby.status).toBe(503);
    expect(String(standby.body.message)).toContain('standby');
    expect(await register('c2')).toEqual(await register('c1'));
    expect((await http('POST', `${c2}/transactions/tx-1-1/resolve`)).status).toBe(503);

    const oldToken = await activeToken('c1');
    fakeLocks.expireHolder(COORDINATOR_LOCK, false);
    const newToken = await activeToken('c2');
    expect(newToken).toBeGreaterThan(oldToken);
    for (const id of REPLICA_IDS) expect((await replicaStatus(id)).highestToken).toBe(newToken);

    // c1 still believes it is active: the replicas refuse its token, and it stands down.
    const stale = await http('PUT', `${url('c1')}/register`, { value: 'stale' });
    expect(stale.status).toBe(503);
    expect(String(stale.body.message)).toContain(`refused fencing token ${oldToken}`);
    expect((await http('GET', `${url('c1')}/coordinator`)).body).toMatchObject({
      active: false,
      fencingToken: null,
    });
    expect((await replicaStatus('r1')).refusedCount).toBeGreaterThan(0);

    const write = await http('PUT', `${c2}/register`, { value: 'from-c2' });
    expect(write.status).toBe(200);
    expect(await register('c1')).toEqual({ value: 'from-c2', version: write.body.version });
  });

  it('a coordinator that stood down queues again and takes over when the active one leaves', async () => {
    const token = await activeToken('c2');
    await stopCoordinator('c2');
    expect(await activeToken('c1')).toBeGreaterThan(token);
    expect((await http('PUT', `${url('c1')}/register`, { value: 'c1-again' })).status).toBe(200);
  });

  it('with no coordinator up, a replica in doubt learns abort from a peer that voted no', async () => {
    const token = (await replicaStatus('r1')).highestToken;
    const base = await register('c1');
    await stopCoordinator('c1');
    const request = { txId: 'tx-orphan-2', token, value: 'ghost', version: base.version + 1, base };
    const no = await peer('r2').request<PrepareReply>(
      TwoPcPatterns.prepare,
      { ...request, expectedVersion: base.version + 7 },
      5000,
    );
    expect(no).toEqual({ ok: true, value: expect.objectContaining({ kind: 'vote', vote: 'no' }) });
    const yes = await peer('r1').request<PrepareReply>(TwoPcPatterns.prepare, request, 5000);
    expect(yes).toEqual({ ok: true, value: { kind: 'vote', vote: 'yes' } });

    await waitFor('r1 to resolve tx-orphan-2', async () => (await replicaStatus('r1')).state === 'idle');
    expect(await replicaStatus('r1')).toMatchObject(base);
    const outcome = await peer('r1').request<OutcomeReply>(
      TwoPcPatterns.outcome,
      { txId: 'tx-orphan-2' },
      5000,
    );
    expect(outcome).toEqual({ ok: true, value: { txId: 'tx-orphan-2', decision: 'abort', vote: 'yes' } });
  });
});
