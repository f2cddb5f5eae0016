import type { LockCommand } from '@app/lock-table';
import { SeededRandom } from '@app/replicated-log';
import { LockWorkload } from './lock-workload';
import { deriveWorkloadMix } from './workload-mix';

function commandsOver(seed: number, ticks: number): LockCommand[] {
  const workload = new LockWorkload(
    new SeededRandom(seed),
    3,
    2,
    1,
    deriveWorkloadMix(new SeededRandom(seed)),
  );
  const commands: LockCommand[] = [];
  for (let tick = 1; tick <= ticks; tick++) {
    commands.push(...workload.commandsForTick(tick));
    for (const sessionId of workload.keepAlivesDue(tick)) workload.onKeepAlive(sessionId, tick, true);
  }
  return commands;
}

describe('LockWorkload', () => {
  it('is a function of its seed', () => {
    expect(commandsOver(7, 300)).toEqual(commandsOver(7, 300));
  });

  it('sends every kind of request the lock table takes', () => {
    const commands = commandsOver(11, 2000);
    const preempts = commands.filter((c) => c.type === 'preempt');
    expect(new Set(commands.map((c) => c.type))).toEqual(
      new Set(['preempt', 'release', 'openSession', 'closeSession']),
    );
    expect(preempts.some((c) => c.sessionId !== undefined)).toBe(true);
    expect(preempts.some((c) => c.ttlMs !== undefined)).toBe(true);
    expect(preempts.some((c) => c.waitMs !== undefined)).toBe(true);
  });

  it('retries resend a request unchanged, requestId included, and never reuse a requestId otherwise', () => {
    const byId = new Map<string, string>();
    let retries = 0;
    for (const command of commandsOver(13, 2000)) {
      if ((command.type !== 'preempt' && command.type !== 'release') || command.requestId === undefined)
        continue;
      const key = `${command.clientId}#${command.requestId}`;
      const earlier = byId.get(key);
      if (earlier !== undefined) {
        retries++;
        expect(JSON.stringify(command)).toBe(earlier);
      }
      byId.set(key, JSON.stringify(command));
    }
    expect(retries).toBeGreaterThan(10);
  });

  it('keeps a session alive three times per TTL until a keepalive is refused, and never for an abandoned one', () => {
    const mix = { ...deriveWorkloadMix(new SeededRandom(1)), openRate: 1, closeRate: 0, abandonRate: 0 };
    const workload = new LockWorkload(new SeededRandom(3), 1, 1, 1, mix);
    const [open] = workload.commandsForTick(0);
    expect(open?.type).toBe('openSession');
    if (open?.type !== 'openSession') return;
    const every = Math.floor(open.ttlMs / 10 / 3);
    expect(workload.keepAlivesDue(every - 1)).toEqual([]);
    expect(workload.keepAlivesDue(every)).toEqual([open.sessionId]);
    workload.onKeepAlive(open.sessionId, every, false);
    expect(workload.keepAlivesDue(10 * every)).toEqual([]);
    const abandoning = new LockWorkload(new SeededRandom(3), 1, 1, 1, { ...mix, abandonRate: 1 });
    abandoning.commandsForTick(0);
    expect(abandoning.keepAlivesDue(10_000)).toEqual([]);
  });
});
