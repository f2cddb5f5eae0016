import { runScenario } from './run-scenario';
import { SCENARIOS } from './scenarios';

// The loopback fallback, forced: a partition scenario runs through one TCP fault proxy per node
// (instead of namespaces and nftables), its cuts take effect (the proxies dropped peer messages),
// and it passes its checks with 0 anomalies.
const seed = Number(process.env.FAULTS_SEED ?? 1 + Math.floor(Math.random() * 1_000_000));

function scenario(id: string) {
  const found = SCENARIOS.find((s) => s.id === id);
  if (!found) throw new Error(`no scenario ${id}`);
  return found;
}

describe('fault harness, loopback fallback (forced)', () => {
  it('S7, the leader isolated, runs through the loopback fault proxies with 0 anomalies', async () => {
    const result = await runScenario(scenario('S7'), seed, false);
    expect({ mode: result.mode, skipped: result.skipped }).toEqual({ mode: 'loopback', skipped: undefined });
    expect(result.faults.partition).toBeGreaterThan(0);
    expect(result.droppedByProxies).toBeGreaterThan(0);
    expect({ passed: result.passed, gates: result.gates, anomalies: result.anomalyDetails }).toEqual(
      expect.objectContaining({ passed: true }),
    );
  }, 300_000);
});
