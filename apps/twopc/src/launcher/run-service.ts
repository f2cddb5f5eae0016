import type { LauncherOptions } from '../cli/launcher-options';
import { TwoPcStack } from './twopc-stack';
import { stopOnSignals } from './stop-on-signals';

/** Runs the register as a service until SIGINT or SIGTERM. */
export async function runService(options: LauncherOptions): Promise<void> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(
    `starting ${options.servers.length === 0 ? 'a local Latchkey cluster, ' : ''}${options.replicas} replicas and ${1 + options.standbys} coordinator(s)...`,
  );
  const stack = TwoPcStack.create(options, (member, how) =>
    out(
      `${member.name} exited (${how}); log ${member.logFile}. Restart it with:\n  node ${member.script} ${member.args.join(' ')}`,
    ),
  );
  stopOnSignals(() => stack.stop());
  await stack.launch(options).catch(async (err: unknown) => {
    await stack.stop();
    throw err;
  });
  const [active, ...standbys] = stack.layout.coordinators;
  if (active === undefined) throw new Error('no coordinator was started');
  out(`two-phase-commit register: ${stack.layout.replicas.map((r) => `${r.id} ${r.address}`).join(', ')}`);
  out(`  coordinator ${active.id} (active)  ${active.url}   Swagger ${active.url}/docs`);
  for (const standby of standbys) out(`  coordinator ${standby.id} (standby) ${standby.url}`);
  out(`  Latchkey ${stack.layout.servers.join(', ')}; data and logs in ${stack.layout.root}`);
  out(`Try:  curl -s -XPUT ${active.url}/register -H 'content-type: application/json' -d '{"value":"blue"}'`);
  out(`      curl -s ${active.url}/replicas\nCtrl-C stops every process.`);
}
