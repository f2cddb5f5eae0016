import { SeededRandom } from '@app/replicated-log';
import { checkConverged } from './convergence';
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
  try {
    return await run(options, trace);
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const knobs = JSON.stringify({ ...options, seed: undefined });
    const events = trace.recent().map((line) => `  ${line}`).join('\n');
    throw new Error(`simulation seed ${options.seed} failed: ${reason}\noptions: ${knobs}\nlast events:\n${events}`, { cause: error });
  }
}

async function run(options: SimulationOptions, trace: Trace): Promise<SimulationReport> {
  const random = new SeededRandom(options.seed);
  const cluster = new SimulatedCluster(options, random, trace);
  const schedule = new FaultSchedule(new SeededRandom(random.intBetween(0, 0xffffffff)), options, cluster.nodes.map((n) => n.id));
  const counts = { partitions: 0, dropBursts: 0 };
  await cluster.start();
  for (let tick = 1; tick <= options.ticks; tick++) {
    trace.setTick(tick);
    const snapshot = { down: new Set(cluster.nodes.filter((n) => !n.up).map((n) => n.id)), leaders: cluster.liveLeaders().map((n) => n.id) };
    for (const action of schedule.actionsFor(tick, snapshot)) applyFault(cluster, action, trace, counts);
    await cluster.runTick(tick, { proposals: true, joins: true });
  }
  await runLivenessPhase(cluster, options, trace);
  const converged = checkConverged(cluster, options.nodes);
  const { checker, network } = cluster;
  return {
    seed: options.seed,
    options,
    ticksRun: options.ticks + options.livenessTicks,
    ...converged,
    stats: {
      leaderTerms: checker.leaders.size,
      proposals: checker.proposals.proposed,
      acknowledged: checker.proposals.acknowledged.length,
      committedEntries: checker.committedCount,
      crashes: cluster.crashes,
      partitions: counts.partitions,
      dropBursts: counts.dropBursts,
      unsyncedWritesLost: cluster.unsyncedWritesLost,
      network: { ...network.stats },
    },
  };
}

function applyFault(cluster: SimulatedCluster, action: FaultAction, trace: Trace, counts: { partitions: number; dropBursts: number }): void {
  switch (action.type) {
    case 'crash':
      return cluster.crash(action.nodeId);
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

/** Heals everything and restarts every crashed node; clients keep going for the first half. */
async function runLivenessPhase(cluster: SimulatedCluster, options: SimulationOptions, trace: Trace): Promise<void> {
  trace.setTick(options.ticks + 1);
  trace.add('liveness phase: heal, restart all, no loss');
  cluster.network.heal();
  cluster.network.setBurstDropRate(0);
  cluster.network.setConditions({ ...options.network, dropRate: 0, duplicateRate: 0 });
  for (const node of cluster.nodes) if (!node.up) cluster.restart(node.id);
  const end = options.ticks + options.livenessTicks;
  const quietFrom = options.ticks + Math.floor(options.livenessTicks / 2);
  for (let tick = options.ticks + 1; tick <= end; tick++) {
    trace.setTick(tick);
    await cluster.runTick(tick, { proposals: tick < quietFrom, joins: true });
  }
}
