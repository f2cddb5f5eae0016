import { SeededRandom } from '@app/replicated-log';
import { checkConverged, convergenceGap, replicationProgress } from './convergence';
import { FaultSchedule, type FaultAction } from './fault-schedule';
import { SimulatedCluster } from './simulated-cluster';
import { deriveOptions, type SimulationInput, type SimulationOptions } from './simulation-options';
import type { SimulationReport } from './simulation-report';
import { Trace } from './trace';

/**
 * One deterministic run: a faulty phase of `ticks` ticks, then a liveness phase with every
 * fault healed. Any broken property throws `simulation seed <seed> failed: ...`.
 */
export async function runSimulation(input: SimulationInput): Promise<SimulationReport> {
  const options = deriveOptions(input);
  const trace = new Trace();
  const cluster = new SimulatedCluster(options, new SeededRandom(options.seed), trace);
  try {
    return await run(options, trace, cluster);
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const knobs = JSON.stringify({ ...options, seed: undefined });
    const events = trace
      .recent()
      .map((line) => `  ${line}`)
      .join('\n');
    const nodes = cluster
      .describe()
      .map((line) => `  ${line}`)
      .join('\n');
    throw new Error(
      `simulation seed ${options.seed} failed: ${reason}\noptions: ${knobs}\nnodes:\n${nodes}\nlast events:\n${events}`,
      { cause: error },
    );
  }
}

async function run(
  options: SimulationOptions,
  trace: Trace,
  cluster: SimulatedCluster,
): Promise<SimulationReport> {
  const random = cluster.random;
  const schedule = new FaultSchedule(
    new SeededRandom(random.intBetween(0, 0xffffffff)),
    options,
    cluster.nodes.map((n) => n.id),
  );
  const counts = { partitions: 0, dropBursts: 0 };
  await cluster.start();
  for (let tick = 1; tick <= options.ticks; tick++) {
    trace.setTick(tick);
    const snapshot = {
      down: new Set(cluster.nodes.filter((n) => !n.up).map((n) => n.id)),
      leaders: cluster.liveLeaders().map((n) => n.id),
      wipeAllowed: cluster.wipeAllowed,
      ghostAllowed: cluster.ghostAllowed,
    };
    let crash: string | undefined;
    let wipe = false;
    for (const action of schedule.actionsFor(tick, snapshot)) {
      // Crashes land in the middle of the tick, where Ready cycles may be half done.
      if (action.type === 'crash') {
        crash = action.nodeId;
        wipe = action.wipe === true;
      } else if (action.type === 'ghostJoin') {
        cluster.addGhost(tick, action.removeAfterTicks);
      } else applyFault(cluster, action, trace, counts);
    }
    await cluster.runTick(tick, { proposals: true, joins: true, reconfigure: true, crash, wipe });
  }
  const livenessTicksRun = await runLivenessPhase(cluster, options, trace);
  const converged = checkConverged(cluster, options.nodes, options.ticks + livenessTicksRun);
  const { checker, network } = cluster;
  return {
    seed: options.seed,
    options,
    ticksRun: options.ticks + livenessTicksRun,
    livenessTicksRun,
    ...converged,
    stats: {
      leaderTerms: checker.leaders.size,
      proposals: checker.proposals.proposed,
      acknowledged: checker.proposals.acknowledged.length,
      committedEntries: checker.committedCount,
      crashes: cluster.crashes,
      wipes: cluster.wipes,
      ghostJoins: cluster.ghostJoins,
      partitions: counts.partitions,
      dropBursts: counts.dropBursts,
      unsyncedWritesLost: cluster.unsyncedWritesLost,
      network: { ...network.stats },
      workload: {
        ...checker.tally.counts,
        keepAlivesAnswered: cluster.keepAlives.answered,
        keepAlivesRefused: cluster.keepAlives.refused,
      },
    },
  };
}

/** Every fault but a crash, which `runTick` injects part-way through the tick, and a ghost's join. */
function applyFault(
  cluster: SimulatedCluster,
  action: Exclude<FaultAction, { type: 'crash' | 'ghostJoin' }>,
  trace: Trace,
  counts: { partitions: number; dropBursts: number },
): void {
  switch (action.type) {
    case 'restart':
      return cluster.restart(action.nodeId);
    case 'partition':
      counts.partitions++;
      cluster.network.partition(action.groups);
      return trace.add(`partition ${cluster.network.describePartition()}`);
    case 'heal':
      cluster.network.heal();
      return trace.add('heal');
    case 'dropBurst':
      counts.dropBursts++;
      cluster.network.setBurstDropRate(action.rate);
      return trace.add(`drop burst at ${action.rate}`);
    case 'endDropBurst':
      cluster.network.setBurstDropRate(0);
      return trace.add('drop burst over');
  }
}

/** A liveness phase may run past its nominal length only while replication keeps making progress. */
const STALL_TICKS = 150;
const MAX_LIVENESS_FACTOR = 6;

/**
 * Heals everything and restarts every crashed node; clients keep going for the first half,
 * then the cluster must converge. A backlog (a node far behind, small batches) may take
 * longer than the nominal length, so the phase is extended while replication still makes
 * progress; a cluster that stops making progress fails the convergence check.
 */
async function runLivenessPhase(
  cluster: SimulatedCluster,
  options: SimulationOptions,
  trace: Trace,
): Promise<number> {
  trace.setTick(options.ticks + 1);
  trace.add('liveness phase: heal, restart all, no loss');
  cluster.network.heal();
  cluster.network.setBurstDropRate(0);
  cluster.network.setConditions({ ...options.network, dropRate: 0, duplicateRate: 0 });
  for (const node of cluster.nodes) if (!node.up) cluster.restart(node.id);
  cluster.removeGhostsNow();
  const quietFrom = options.ticks + Math.floor(options.livenessTicks / 2);
  const nominalEnd = options.ticks + options.livenessTicks;
  const hardEnd = options.ticks + MAX_LIVENESS_FACTOR * options.livenessTicks;
  let progress = { value: -1, tick: options.ticks };
  let tick = options.ticks + 1;
  for (; tick <= hardEnd; tick++) {
    trace.setTick(tick);
    await cluster.runTick(tick, { proposals: tick < quietFrom, joins: true, reconfigure: false });
    const value = replicationProgress(cluster);
    if (value > progress.value) progress = { value, tick };
    if (tick < nominalEnd) continue;
    if (convergenceGap(cluster, options.nodes, tick) === null || tick - progress.tick > STALL_TICKS) break;
  }
  if (tick > nominalEnd)
    trace.add(`liveness phase extended to ${tick - options.ticks} ticks (last progress at ${progress.tick})`);
  return Math.min(tick, hardEnd) - options.ticks;
}
