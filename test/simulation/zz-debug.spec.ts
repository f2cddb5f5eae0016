import { runSimulation } from '@app/simulator';
it('debug', async () => {
  const n = Number(process.env.N ?? 5); const base = Number(process.env.B ?? 1);
  for (let s = base; s < base + n; s++) {
    try {
      const r = await runSimulation({ seed: s, ticks: Number(process.env.T ?? 2000) });
      process.stdout.write(JSON.stringify({ seed: s, mode: r.options.mode, nodes: r.options.nodes, term: r.term, commit: r.commitIndex, ...r.stats }) + '\n');
    } catch (e) { process.stdout.write(String((e as Error).message) + '\n'); }
  }
}, 600000);
