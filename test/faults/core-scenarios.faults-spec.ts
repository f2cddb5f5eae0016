import { NetworkLab } from './network-lab';
import { writeReliabilityReport } from './reliability-report';
import { runScenario } from './run-scenario';
import type { ScenarioResult } from './run-scenario';
import { SCENARIOS } from './scenarios';

// FAULTS_ALL=1 (npm run test:faults -- --all) runs every scenario; FAULTS_ONLY=S2,S7 a chosen few;
// FAULTS_SEED fixes the seed of every scenario (else one is drawn and printed).
const only = process.env.FAULTS_ONLY?.split(',');
const selected = SCENARIOS.filter((s) =>
  only ? only.includes(s.id) : process.env.FAULTS_ALL === '1' || s.core,
);
const baseSeed = Number(process.env.FAULTS_SEED ?? 1 + Math.floor(Math.random() * 1_000_000));
const namespaces = process.env.FAULTS_LOOPBACK !== '1' && NetworkLab.available();
const results: ScenarioResult[] = [];

describe('fault scenarios on real processes', () => {
  beforeAll(() => {
    console.log(
      namespaces
        ? 'fault harness: one network namespace per node, links cut with nftables'
        : 'fault harness: network namespaces unavailable (or FAULTS_LOOPBACK=1), falling back to one TCP fault proxy per node on loopback; partitions drop peer messages at the proxies, mount scenarios are skipped',
    );
  });

  afterAll(() => {
    const path = writeReliabilityReport(results, namespaces ? 'netns' : 'loopback');
    console.log(`report written to ${path}`);
  });

  it.each(selected.map((s, i) => [s.id, s, i] as const))(
    '%s',
    async (_id, scenario, i) => {
      const result = await runScenario(scenario, baseSeed + i, namespaces);
      results.push(result);
      expect({
        id: result.id,
        passed: result.passed,
        gates: result.gates,
        anomalies: result.anomalyDetails,
      }).toEqual(expect.objectContaining({ passed: true }));
    },
    // A scenario's own phases are bounded; a negative control's final reads and convergence
    // wait run to their deadlines on a cluster that never recovers.
    300_000,
  );
});
