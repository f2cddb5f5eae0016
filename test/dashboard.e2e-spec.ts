import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import request from 'supertest';
import { newClientId } from './support/client-ids';
import { LocalCluster, type NodeHandle } from './support/local-cluster';
import { PendingRequest } from './support/pending-request';

jest.setTimeout(180_000);

const CHROMIUM = process.env.LATCHKEY_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = resolve(__dirname, '..', 'test-artifacts');
/** `LATCHKEY_UPDATE_DOCS_SCREENSHOT=1` also refreshes the README's screenshot. */
const DOCS_SCREENSHOT = resolve(__dirname, '..', 'docs', 'dashboard.png');
const UI_TIMEOUT_MS = 20_000;

// The dashboard in a real headless Chromium against a real 3-node cluster: a preempt
// through the API appears with owner and token, a waiter appears in the queue, and a
// release hands the lock to the waiter, all pushed live to the open page.
describe('dashboard', () => {
  let cluster: LocalCluster;
  let browser: Browser;
  let page: Page;
  let leader: NodeHandle;
  let follower: NodeHandle;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    cluster = await LocalCluster.start({ size: 3 });
    leader = await cluster.leader();
    follower = cluster.nodes.find((n) => n.id !== leader.id)!;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu'],
    });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
  });

  const lockRow = (name: string) => page.locator(`tr[data-lock="${name}"]`);

  it('loads from the node itself and shows all three members live', async () => {
    const external: string[] = [];
    page.on('request', (req) => {
      if (!req.url().startsWith(follower.url)) external.push(req.url());
    });
    await page.goto(`${follower.url}/`);
    await page.locator('#conn.live').waitFor({ timeout: UI_TIMEOUT_MS });
    await page.locator('#members tbody tr').nth(2).waitFor({ timeout: UI_TIMEOUT_MS });
    await page
      .locator(`#members tr[data-member="${leader.id}"] .pill`, { hasText: /^leader$/ })
      .waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await page.locator('#members tbody tr').count()).toBe(3);
    expect(await page.locator('#node').textContent()).toBe(`${follower.id} · follower`);
    expect(external).toEqual([]);
  });

  it('shows a preempted lock with its owner and token, its waiter, and the hand-over on release', async () => {
    const first = newClientId();
    const second = newClientId();
    const granted = await request(leader.url)
      .post('/locks/build-lock/preempt')
      .send({ clientId: first, ttlMs: 120_000 })
      .expect(200);
    const token = (granted.body as { fencingToken: number }).fencingToken;
    await lockRow('build-lock').waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await lockRow('build-lock').locator('[data-owner]').getAttribute('data-owner')).toBe(first);
    expect(await lockRow('build-lock').locator('[data-token]').textContent()).toBe(String(token));

    const waiting = new PendingRequest(
      request(follower.url).post('/locks/build-lock/preempt').send({ clientId: second, waitMs: 60_000 }),
    );
    await lockRow('build-lock').locator(`[data-waiter="${second}"]`).waitFor({ timeout: UI_TIMEOUT_MS });

    await request(leader.url).post('/locks/build-lock/release').send({ clientId: first }).expect(200);
    const handedOver = await waiting.done;
    expect(handedOver.status).toBe(200);
    const newToken = (handedOver.body as { fencingToken: number }).fencingToken;
    expect(newToken).toBeGreaterThan(token);
    await lockRow('build-lock').locator(`[data-owner="${second}"]`).waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await lockRow('build-lock').locator('[data-token]').textContent()).toBe(String(newToken));
    expect(await lockRow('build-lock').locator('[data-waiter]').count()).toBe(0);
    const feed = await page.locator('#feed li').allTextContents();
    expect(feed.slice(0, 3).map((text) => text.match(/granted|released/)?.[0])).toEqual([
      'granted',
      'released',
      'granted',
    ]);
  });

  it('pages through many held locks and filters them by name', async () => {
    const owner = newClientId();
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        request(leader.url)
          .post(`/locks/job-${String(i).padStart(3, '0')}/preempt`)
          .send({ clientId: owner }),
      ),
    );
    await page.locator('#range', { hasText: /^1–50 of 61$/ }).waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await page.locator('#locks tbody tr').count()).toBe(50);
    await page.click('#next');
    await page.locator('#range', { hasText: /^51–61 of 61$/ }).waitFor({ timeout: UI_TIMEOUT_MS });
    await page.fill('#filter', 'job-05');
    await page.locator('#range', { hasText: /^1–10 of 10$/ }).waitFor({ timeout: UI_TIMEOUT_MS });
    await page.fill('#filter', '');
    await page.locator('#range', { hasText: /^1–50 of 61$/ }).waitFor({ timeout: UI_TIMEOUT_MS });
    for (let i = 0; i < 60; i++)
      await request(leader.url)
        .post(`/locks/job-${String(i).padStart(3, '0')}/release`)
        .send({ clientId: owner })
        .expect(200);
  });

  it('takes a screenshot of a busy moment', async () => {
    await makeABusyMoment(leader, follower);
    await page.locator('#locks [data-waiter]').nth(2).waitFor({ timeout: UI_TIMEOUT_MS });
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png') });
    if (process.env.LATCHKEY_UPDATE_DOCS_SCREENSHOT === '1') await page.screenshot({ path: DOCS_SCREENSHOT });
    expect(existsSync(join(ARTIFACTS, 'dashboard.png'))).toBe(true);
  });
});

/** A few holders with TTLs and queues, and some finished holds for the busiest table. */
async function makeABusyMoment(leader: NodeHandle, follower: NodeHandle): Promise<void> {
  const clients = Array.from({ length: 6 }, () => newClientId());
  for (let round = 0; round < 3; round++) {
    for (const name of ['ledger', 'deploy:prod', 'report.nightly']) {
      await request(leader.url).post(`/locks/${name}/preempt`).send({ clientId: clients[round] }).expect(200);
      await request(leader.url).post(`/locks/${name}/release`).send({ clientId: clients[round] }).expect(200);
    }
  }
  const holds: Array<[string, number, number | undefined]> = [
    ['ledger', 0, 30_000],
    ['deploy:prod', 1, undefined],
    ['report.nightly', 2, 600_000],
    ['cache-warmup', 3, 8_000],
    ['orders:shard-3', 4, 45_000],
    ['billing.invoice-run', 5, undefined],
    ['philosopher.fork-0', 0, 60_000],
    ['philosopher.fork-2', 4, 60_000],
  ];
  for (const [name, who, ttlMs] of holds)
    await request(leader.url)
      .post(`/locks/${name}/preempt`)
      .send({ clientId: clients[who], ttlMs })
      .expect(200);
  const session = await request(leader.url).post('/sessions').send({ clientId: clients[5], ttlMs: 60_000 });
  await request(leader.url)
    .post('/locks/migrations/preempt')
    .send({ clientId: clients[5], sessionId: (session.body as { sessionId: string }).sessionId })
    .expect(200);
  // Queued preempts that stay pending; the cluster stops before they run out.
  for (const [name, who] of [
    ['ledger', 1],
    ['ledger', 2],
    ['deploy:prod', 3],
    ['philosopher.fork-0', 1],
  ] as const)
    void request(follower.url)
      .post(`/locks/${name}/preempt`)
      .send({ clientId: clients[who], waitMs: 120_000 })
      .then(
        () => undefined,
        () => undefined,
      );
}
