import { LockClient } from '@app/lock-client';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { BenchClients } from './bench-clients';
import { parseBenchOptions, type BenchOptions, type Workload } from './bench-options';
import { formatResults, type BenchResult } from './bench-result';
import { EmbeddedCluster } from './embedded-cluster';
import { CpuMeter } from './process-cpu';
import { runClientLoop, WorkloadTally } from './run-workload';

const CHECKED_LOCK = 'bench-w3-held';
const PROGRESS_EVERY_MS = 1000;

interface Target {
  members: string[];
  pids: number[];
}

/** The members' TCP addresses; W3 reads from the followers only (all members if there are none). */
async function followersOf(members: string[]): Promise<string[]> {
  const probe = new LockClient({ nodes: members, clientId: randomUUID() });
  try {
    const status = await probe.clusterStatus();
    const followers = status.members.filter((m) => m.id !== status.leaderId).map((m) => m.tcpAddress);
    return followers.length > 0 ? followers : members;
  } finally {
    await probe.close();
  }
}

/** Holds the lock W3 checks for the whole run, in a session of its own. */
async function holdCheckedLock(members: string[]): Promise<() => Promise<void>> {
  const holder = new LockClient({ nodes: members, clientId: randomUUID() });
  const session = await holder.openSession({ ttlMs: 60_000 });
  await session.lock(CHECKED_LOCK);
  return async () => {
    await session.close();
    await holder.close();
  };
}

async function measure(
  options: BenchOptions,
  workload: Workload,
  target: Target,
  progress: (tally: WorkloadTally, elapsedS: number) => void,
): Promise<BenchResult> {
  const readFrom = workload.startsWith('w3') ? await followersOf(target.members) : target.members;
  const clients = await BenchClients.open(target.members, readFrom, options.connections, options.clients);
  const release = workload.startsWith('w3') ? await holdCheckedLock(target.members) : null;
  let tally = new WorkloadTally();
  let running = true;
  const context = {
    workload,
    keys: options.keys,
    checkedLock: CHECKED_LOCK,
    tally: () => tally,
    running: () => running,
  };
  const loops = clients.clients.map((client) => runClientLoop(client, context));
  await sleep(options.warmupSeconds * 1000);
  tally = new WorkloadTally();
  const cpu = new CpuMeter(target.pids);
  const startedAt = performance.now();
  const measuredMs = (options.durationMinutes ?? 0) * 60_000 || options.seconds * 1000;
  const perMinute: number[] = [];
  let minuteStartOps = 0;
  let nextMinuteAt = startedAt + 60_000;
  while (performance.now() - startedAt < measuredMs) {
    await sleep(Math.min(PROGRESS_EVERY_MS, measuredMs - (performance.now() - startedAt)));
    progress(tally, (performance.now() - startedAt) / 1000);
    if (options.durationMinutes !== null && performance.now() >= nextMinuteAt) {
      perMinute.push(Math.round((tally.ops - minuteStartOps) / 60));
      minuteStartOps = tally.ops;
      nextMinuteAt += 60_000;
    }
  }
  const elapsedS = (performance.now() - startedAt) / 1000;
  const measured = tally;
  const cpuUse = cpu.read();
  running = false;
  await Promise.all(loops);
  await clients.close();
  await release?.();
  return {
    workload,
    clients: options.clients,
    connections: options.connections,
    seconds: Math.round(elapsedS * 10) / 10,
    ops: measured.ops,
    opsPerSec: Math.round(measured.ops / elapsedS),
    successes: measured.successes,
    latencyMs: {
      preempt: measured.preempt.summary(),
      release: measured.release.summary(),
      check: measured.check.summary(),
    },
    errors: measured.errors,
    firstErrors: measured.firstErrors,
    cpu: cpuUse,
    ...(options.durationMinutes === null ? {} : { opsPerSecByMinute: perMinute }),
  };
}

async function main(): Promise<void> {
  const options = parseBenchOptions(process.argv.slice(2));
  const say = (line: string) => process.stderr.write(line);
  let cluster: EmbeddedCluster | null = null;
  const stopCluster = async () => {
    const running = cluster;
    cluster = null;
    await running?.stop();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void stopCluster().finally(() => process.exit(130)));
  }
  try {
    if (options.servers.length === 0) {
      say('starting a durable 3-node cluster in a temporary directory...\n');
      cluster = await EmbeddedCluster.start();
    }
    const target = cluster
      ? { members: cluster.tcpAddresses, pids: cluster.pids }
      : { members: options.servers, pids: [] };
    const results: BenchResult[] = [];
    for (const workload of options.workloads) {
      const result = await measure(options, workload, target, (tally, elapsedS) =>
        say(
          `\r${workload}: ${elapsedS.toFixed(0)} s, ${Math.round(tally.ops / elapsedS)} ops/s, ${tally.errors} errors   `,
        ),
      );
      say('\n');
      results.push(result);
      if (options.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    }
    if (!options.json) process.stdout.write(formatResults(results));
  } finally {
    await stopCluster();
  }
}

main().catch((err: unknown) => {
  const code = (err as { code?: string }).code;
  // commander reports usage errors itself; --help exits 0.
  if (code === 'commander.helpDisplayed' || code === 'commander.version') process.exit(0);
  if (typeof code === 'string' && code.startsWith('commander.')) process.exit(2);
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
