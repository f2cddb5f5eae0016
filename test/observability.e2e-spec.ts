import { readFileSync } from 'node:fs';
import request from 'supertest';
import { newClientId } from './support/client-ids';
import { LocalCluster, type NodeHandle } from './support/local-cluster';
import { parsePrometheusText, sampleSum, type PromExposition } from './support/prometheus-text';
import { waitFor } from './support/wait-for';

jest.setTimeout(120_000);

async function scrape(node: NodeHandle): Promise<PromExposition> {
  const res = await request(node.url).get('/metrics').timeout(5000).expect(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain;/);
  expect(res.headers['content-type']).toContain('version=0.0.4');
  return parsePrometheusText(res.text);
}

function logLines(node: NodeHandle): Array<Record<string, unknown>> {
  return readFileSync(node.logFile, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

// Metrics, structured logs and health on a real 3-node cluster (issue: operability).
describe('observability', () => {
  let cluster: LocalCluster;
  let leader: NodeHandle;
  let follower: NodeHandle;

  beforeAll(async () => {
    // debug, so that every HTTP request is logged too: the secret must not be in those lines either
    cluster = await LocalCluster.start({ size: 3, env: { LATCHKEY_LOG_LEVEL: 'debug' } });
    leader = await cluster.leader();
    follower = cluster.nodes.find((n) => n.id !== leader.id)!;
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('serves /metrics on every node as Prometheus text, with one leader among the role gauges', async () => {
    let leaders = 0;
    for (const node of cluster.nodes) {
      const metrics = await scrape(node);
      for (const name of [
        'latchkey_role',
        'latchkey_term',
        'latchkey_leader_changes_total',
        'latchkey_commit_index',
        'latchkey_applied_index',
        'latchkey_follower_lag_entries',
        'latchkey_wal_fsync_seconds',
        'latchkey_wal_append_seconds',
        'latchkey_commands_applied_total',
        'latchkey_lock_grants_total',
        'latchkey_lock_releases_total',
        'latchkey_lock_expiries_total',
        'latchkey_lock_waiters',
        'latchkey_sessions',
        'latchkey_request_duration_seconds',
        'latchkey_lock_hold_seconds',
        'latchkey_lock_wait_seconds',
      ])
        expect(metrics.types.has(name)).toBe(true);
      leaders += sampleSum(metrics, 'latchkey_role', { role: 'leader' });
      expect(sampleSum(metrics, 'latchkey_wal_fsync_seconds_count')).toBeGreaterThan(0);
      expect(metrics.samples.every((s) => s.labels.node === node.id)).toBe(true);
    }
    expect(leaders).toBe(1);
  });

  it('moves the lock counters and histograms on every node after preempts, without a label per lock', async () => {
    const before = await Promise.all(cluster.nodes.map(scrape));
    const holder = newClientId();
    const other = newClientId();
    const names = Array.from({ length: 5 }, (_, i) => `metrics-lock-${i}`);
    for (const name of names) {
      await request(follower.url).post(`/locks/${name}/preempt`).send({ clientId: holder }).expect(200);
      await request(follower.url).post(`/locks/${name}/preempt`).send({ clientId: other }).expect(409);
      await request(follower.url).post(`/locks/${name}/release`).send({ clientId: holder }).expect(200);
    }
    for (const [i, node] of cluster.nodes.entries()) {
      const after = await waitFor(`${node.id} to count 5 more grants`, async () => {
        const now = await scrape(node);
        const grants = sampleSum(now, 'latchkey_lock_grants_total');
        return grants - sampleSum(before[i], 'latchkey_lock_grants_total') >= 5 ? now : undefined;
      });
      const delta = (name: string, labels: Record<string, string> = {}) =>
        sampleSum(after, name, labels) - sampleSum(before[i], name, labels);
      expect(delta('latchkey_lock_releases_total')).toBeGreaterThanOrEqual(5);
      expect(delta('latchkey_lock_hold_seconds_count')).toBeGreaterThanOrEqual(5);
      expect(delta('latchkey_commands_applied_total', { command: 'preempt' })).toBeGreaterThanOrEqual(10);
      expect(delta('latchkey_wal_entries_written_total')).toBeGreaterThanOrEqual(15);
      const labelValues = after.samples.flatMap((s) => Object.values(s.labels));
      for (const name of names) expect(labelValues).not.toContain(name);
      expect(labelValues).not.toContain(holder);
    }
    const served = await scrape(follower);
    const requests = (outcome: string) =>
      sampleSum(served, 'latchkey_request_duration_seconds_count', {
        transport: 'http',
        operation: 'preempt',
        outcome,
      });
    expect(requests('ok')).toBeGreaterThanOrEqual(5);
    expect(requests('refused')).toBeGreaterThanOrEqual(5);
    // the follower forwarded them to the leader over TCP
    const forwarded = await scrape(leader);
    expect(
      sampleSum(forwarded, 'latchkey_request_duration_seconds_count', {
        transport: 'tcp',
        operation: 'preempt',
      }),
    ).toBeGreaterThanOrEqual(10);
  });

  it('counts waiters, wait time and sessions', async () => {
    const holder = newClientId();
    const waiter = newClientId();
    const before = await scrape(leader);
    await request(leader.url).post('/locks/metrics-queue/preempt').send({ clientId: holder }).expect(200);
    const waiting = request(follower.url)
      .post('/locks/metrics-queue/preempt')
      .send({ clientId: waiter, waitMs: 30_000 })
      .then((res) => res.status);
    await waitFor('the waiter in the gauge', async () =>
      sampleSum(await scrape(leader), 'latchkey_lock_waiters') >= 1 ? true : undefined,
    );
    await request(leader.url).post('/locks/metrics-queue/release').send({ clientId: holder }).expect(200);
    expect(await waiting).toBe(200);
    const session = await request(follower.url).post('/sessions').send({ clientId: holder }).expect(201);
    await waitFor('the wait time and the session on the leader', async () => {
      const now = await scrape(leader);
      return sampleSum(now, 'latchkey_lock_wait_seconds_count') >
        sampleSum(before, 'latchkey_lock_wait_seconds_count') && sampleSum(now, 'latchkey_sessions') >= 1
        ? true
        : undefined;
    });
    const { sessionId } = session.body as { sessionId: string };
    await request(follower.url).delete(`/sessions/${sessionId}`).expect(200);
  });

  it('logs JSON lines with node id and term, request ids, and never a session secret', async () => {
    const clientId = newClientId();
    const opened = await request(follower.url).post('/sessions').send({ clientId }).expect(201);
    const secret = (opened.body as { sessionId: string }).sessionId;
    await request(follower.url).post(`/sessions/${secret}/keepalive`).expect(200);
    await request(follower.url)
      .post('/locks/logged-lock/preempt')
      .set('x-request-id', 'trace-me-42')
      .send({ clientId, sessionId: secret })
      .expect(200)
      .expect('x-request-id', 'trace-me-42');
    await request(follower.url)
      .post('/locks/logged-lock/release')
      .send({ clientId, sessionId: secret })
      .expect(200);
    await request(follower.url).delete(`/sessions/${secret}`).expect(200);
    await waitFor('the request lines in the follower log', () =>
      logLines(follower).some((l) => (l.req as { id?: string } | undefined)?.id === 'trace-me-42'),
    );
    const lines = logLines(follower);
    expect(
      lines.find((l) => (l.req as { url?: string } | undefined)?.url?.includes('/keepalive')),
    ).toMatchObject({ node: follower.id, req: { url: '/sessions/[redacted]/keepalive' } });
    const leaderLine = lines.find((l) => typeof l.msg === 'string' && l.msg.startsWith('leader is'));
    expect(leaderLine).toMatchObject({ node: follower.id, level: 30, term: expect.any(Number) });
    expect((leaderLine!.term as number) >= 1).toBe(true);
    for (const node of cluster.nodes) expect(readFileSync(node.logFile, 'utf8')).not.toContain(secret);
    const metrics = await Promise.all(cluster.nodes.map((n) => request(n.url).get('/metrics')));
    for (const res of metrics) expect(res.text).not.toContain(secret);
  });

  it('answers /health as before and /health/ready through terminus on every node', async () => {
    for (const node of cluster.nodes) {
      const health = await request(node.url).get('/health').expect(200);
      expect(health.body).toEqual({
        status: 'ok',
        id: node.id,
        role: expect.any(String),
        leaderId: leader.id,
      });
      const ready = await request(node.url).get('/health/ready').expect(200);
      expect(ready.body).toMatchObject({
        status: 'ok',
        info: { raft: { status: 'up', leaderId: leader.id } },
      });
    }
  });

  it('reports not ready once a node loses its majority, and ready again when it returns', async () => {
    const last = cluster.nodes.find((n) => n.id !== leader.id && n.id !== follower.id)!;
    await cluster.kill(leader.id);
    await cluster.kill(follower.id);
    const res = await waitFor('the lone node to be not ready', async () => {
      const r = await request(last.url).get('/health/ready').timeout(3000);
      return r.status === 503 ? r : undefined;
    });
    expect(res.body).toMatchObject({ status: 'error', error: { raft: { status: 'down' } } });
    await cluster.startNode(leader.id);
    await cluster.startNode(follower.id);
    await waitFor('every node ready again', async () => {
      const all = await Promise.all(
        cluster.nodes.map((n) => request(n.url).get('/health/ready').timeout(3000)),
      );
      return all.every((r) => r.status === 200);
    });
  });
});
