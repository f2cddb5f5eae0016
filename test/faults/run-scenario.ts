import { analyzeRun } from '@app/history-checker';
import type { FinalLockState, HistoryRecord, RoleObservation, RunAnalysis } from '@app/history-checker';
import { appendFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { awaitConvergence, finalReads, observeRoles, runRecordedWorkload, SeededRandom } from '@app/workload';
import { committedLog } from './committed-log';
import { FaultCluster } from './fault-cluster';
import { FaultTimeline } from './fault-timeline';
import { LoopbackLab } from './loopback-lab';
import { NetworkLab } from './network-lab';
import type { Scenario, ScenarioContext } from './scenario';
import { defined } from '../support/defined';

const ROOT = resolve(__dirname, '..', '..');
const NODE_ENV = {
  LATCHKEY_ELECTION_TIMEOUT_MIN_MS: '600',
  LATCHKEY_ELECTION_TIMEOUT_MAX_MS: '1200',
  LATCHKEY_REQUEST_TIMEOUT_MS: '2000',
};
const REQUEST_TIMEOUT_MS = 2500;

/** see analyzeRun below: a search bound per lock, far above what a linearizable history takes */
const MAX_SEARCH_STEPS_PER_LOCK = 100_000;

export interface ScenarioResult {
  id: string;
  title: string;
  seed: number;
  mode: 'netns' | 'loopback';
  skipped?: string;
  passed: boolean;
  wallMs: number;
  operations: RunAnalysis['operations'];
  faults: Record<string, number>;
  recoveryMs: number | null;
  anomalies: number;
  anomalyDetails: RunAnalysis['anomalies'] | null;
  gates: string[];
  expectAnomaly?: string;
  detected?: boolean;
  /** the checkers that found anomalies */
  caughtBy?: string[];
  artifacts?: string;
  /** loopback mode: peer messages the fault proxies dropped on cut links */
  droppedByProxies?: number;
}

function lastFinals(records: HistoryRecord[]): FinalLockState[] {
  return records
    .filter((r) => r.type === 'ok')
    .map((r) => ({ key: r.key, owner: r.result?.owner ?? null, token: r.result?.fencingToken ?? null }));
}

/** Polls every node's view of itself until `stop`, for the one-leader-per-term check. */
async function watchRoles(servers: () => string[], stop: () => boolean, roles: RoleObservation[]) {
  while (!stop()) {
    roles.push(...(await observeRoles(servers(), 500)));
    await new Promise((done) => setTimeout(done, 300));
  }
}

/** The validity gates of a run: without them a clean verdict proves little. */
function gates(
  scenario: Scenario,
  records: HistoryRecord[],
  timeline: FaultTimeline,
  firstFaultAt: number,
): string[] {
  const failed: string[] = [];
  const okBefore = records.filter((r) => r.type === 'ok' && r.tComplete < firstFaultAt).length;
  if (okBefore < 10) failed.push(`only ${okBefore} ok operations before the first fault (need 10)`);
  if (!scenario.faultless && timeline.injected() === 0) failed.push('no fault was injected');
  const held = records.filter((r) => r.f === 'preempt' && r.result?.acquired === false).length;
  if (held < 5) failed.push(`only ${held} contended preempts (need 5)`);
  return failed;
}

/**
 * One scenario: start three nodes, run the recorded workload while the nemesis works from
 * 4 s in, heal everything, wait for a successful operation, read every lock
 * linearizably, check convergence, and run every checker. Prints its seed first. Keeps the
 * run folder (logs, WALs, history, timeline, checker output) when the run fails.
 */
export async function runScenario(
  scenario: Scenario,
  seed: number,
  useNamespaces: boolean,
): Promise<ScenarioResult> {
  console.log(`seed=${seed} scenario=${scenario.id} (${scenario.title})`);
  const started = performance.now();
  const base = { id: scenario.id, title: scenario.title, seed, expectAnomaly: scenario.expectAnomaly };
  const mode = useNamespaces ? 'netns' : 'loopback';
  if (scenario.needsRoot && !useNamespaces) {
    const skipped = 'needs root (a mount), which the loopback fallback does without';
    console.log(`${scenario.id}: skipped, ${skipped}`);
    return {
      ...base,
      mode,
      skipped,
      passed: true,
      wallMs: 0,
      operations: { total: 0, byKindAndOutcome: {} },
      faults: {},
      recoveryMs: null,
      anomalies: 0,
      anomalyDetails: null,
      gates: [],
    };
  }
  const dir = mkdtempSync(join(tmpdir(), `latchkey-fault-${scenario.id}-`));
  const lab = useNamespaces ? NetworkLab.create(seed + process.pid, 3) : null;
  // Without namespaces, peer links go through one TCP fault proxy per node on loopback.
  const proxies = useNamespaces ? null : new LoopbackLab();
  const cluster = new FaultCluster(dir, { ...NODE_ENV, ...scenario.env }, lab, proxies);
  const timeline = new FaultTimeline();
  const rng = new SeededRandom(seed);
  const trafficMs = scenario.trafficMs ?? 15_000;
  let ctx: ScenarioContext | null = null;
  try {
    await cluster.addNode('leader');
    await cluster.addNode('follower');
    await cluster.addNode('follower');
    await cluster.start(defined(cluster.nodes[0], 'the first node'));
    await Promise.all(cluster.nodes.slice(1).map((n) => cluster.start(n)));
    await cluster.agreedLeader();
    const trafficEnd = performance.now() + trafficMs;
    const active = () => performance.now() < trafficEnd;
    ctx = {
      cluster,
      lab: lab ?? proxies,
      rng,
      timeline,
      dir,
      active,
      pause: (ms) =>
        new Promise((done) => setTimeout(done, Math.max(0, Math.min(ms, trafficEnd - performance.now())))),
      leader: () => cluster.agreedLeader(3000),
      violations: [],
    };
    const history = join(dir, 'history.jsonl');
    const keys = Array.from({ length: 3 }, (_, i) => `${scenario.id}-${seed}-k${i}`);
    const roles: RoleObservation[] = [];
    let trafficDone = false;
    const rolesWatch = watchRoles(
      () => cluster.running().map((n) => cluster.http(n)),
      () => trafficDone,
      roles,
    );
    const nemesisCtx = ctx;
    const nemesis = (async () => {
      await nemesisCtx.pause(4000);
      await scenario.nemesis(nemesisCtx);
    })();
    const records = await runRecordedWorkload({
      servers: cluster.httpServers(),
      durationMs: trafficMs,
      clients: 6,
      keys,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      seed,
      onRecord: (r) => appendFileSync(history, JSON.stringify(r) + '\n'),
    });
    await nemesis;
    // Heal: reconnect, resume, restart whatever is down.
    (lab ?? proxies)?.heal();
    for (const n of cluster.nodes) cluster.resume(n);
    await Promise.all(cluster.nodes.filter((n) => !n.process && !n.retired).map((n) => cluster.start(n)));
    timeline.record('heal', [], 'all faults');
    const healedAt = performance.now();
    const finals = await finalReads(cluster.httpServers(), keys, REQUEST_TIMEOUT_MS, 60);
    const firstOk = finals.find((r) => r.type === 'ok');
    const recoveryMs = firstOk ? Math.round(firstOk.tComplete - healedAt) : null;
    finals.forEach((r) => appendFileSync(history, JSON.stringify(r) + '\n'));
    trafficDone = true;
    await rolesWatch;
    const { snapshots } = await awaitConvergence(cluster.httpServers(), 15_000, 1500);
    const log = await committedLog(
      cluster.nodes.map((n) => n.dataDir),
      dir,
    );
    // A linearizable history is found in about one step per operation; one that is not
    // makes the search exhaust every order, which is exponential and blocks the event loop
    // (no jest timeout can fire). A bounded search that runs out counts as an anomaly.
    const analysis = analyzeRun(
      { records: [...records, ...finals], finals: lastFinals(finals), roles, snapshots, committedLog: log },
      MAX_SEARCH_STEPS_PER_LOCK,
    );
    const failedGates = gates(scenario, records, timeline, timeline.events[0]?.t ?? Infinity);
    const unread = keys.filter((k) => !finals.some((r) => r.key === k && r.type === 'ok'));
    // A negative control breaks the system on purpose: it passes when its anomaly is caught,
    // and a deliberately broken cluster owes no liveness after the heal.
    if (unread.length > 0 && !scenario.expectAnomaly)
      failedGates.push(`no successful read after the heal of ${unread.join(', ')} (liveness)`);
    if (ctx.violations.length > 0) {
      analysis.anomalies.fencing = ctx.violations;
      analysis.anomalyCount += ctx.violations.length;
    }
    const detected = analysis.anomalyCount > 0;
    const caughtBy = Object.entries(analysis.anomalies)
      .filter(([, list]) => list.length > 0)
      .map(([name]) => name);
    const passed = failedGates.length === 0 && (scenario.expectAnomaly ? detected : !detected);
    const result: ScenarioResult = {
      ...base,
      mode,
      passed,
      wallMs: Math.round(performance.now() - started),
      operations: analysis.operations,
      faults: timeline.counts,
      recoveryMs,
      anomalies: analysis.anomalyCount,
      anomalyDetails: analysis.anomalies,
      droppedByProxies: proxies?.droppedMessages,
      gates: failedGates,
      detected: scenario.expectAnomaly ? detected : undefined,
      caughtBy,
    };
    writeFileSync(join(dir, 'timeline.json'), JSON.stringify(timeline.events, null, 1));
    writeFileSync(
      join(dir, 'checker.json'),
      JSON.stringify(
        {
          result,
          firstIllegal: analysis.linearizability.firstIllegal,
          // plain checks were compared with the committed log up to this index (null: with grants)
          committedLogIndex: log?.commitIndex ?? null,
        },
        null,
        1,
      ),
    );
    if (!passed) result.artifacts = keep(dir, scenario.id, seed);
    console.log(
      `${scenario.id}: ${passed ? 'passed' : 'FAILED'} ${JSON.stringify({ ops: analysis.operations.total, anomalies: analysis.anomalyCount, faults: timeline.counts, recoveryMs, gates: failedGates, localReadsCheckedAgainst: log ? `committed log to ${log.commitIndex}` : 'grants' })}${result.artifacts ? ` artifacts in ${result.artifacts}` : ''}`,
    );
    return result;
  } catch (error: unknown) {
    // A scenario that could not run (e.g. a node never came up) fails with its folder kept.
    const message = error instanceof Error ? error.message : String(error);
    const artifacts = keep(dir, scenario.id, seed);
    console.log(`${scenario.id}: FAILED to run: ${message}; artifacts in ${artifacts}`);
    return {
      ...base,
      mode,
      passed: false,
      wallMs: Math.round(performance.now() - started),
      operations: { total: 0, byKindAndOutcome: {} },
      faults: timeline.counts,
      recoveryMs: null,
      anomalies: 0,
      anomalyDetails: null,
      gates: [`could not run: ${message}`],
      artifacts,
    };
  } finally {
    await cluster.stop();
    if (ctx) scenario.cleanup?.(ctx);
    lab?.destroy();
    await proxies?.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Copies a failed run's folder under fault-runs/ in the project and returns its path. */
function keep(dir: string, id: string, seed: number): string {
  const target = join(
    ROOT,
    'fault-runs',
    `${id}-seed${seed}-${new Date().toISOString().replace(/[:.]/g, '-')}`,
  );
  cpSync(dir, target, { recursive: true });
  return target;
}
