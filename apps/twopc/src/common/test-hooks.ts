/**
 * Test-only pause points. With TWOPC_PAUSE_AT=<point>[,<point>...] the process, the first
 * time it reaches a listed point, prints `twopc-hook: paused at <point> <detail>` and stops
 * itself with SIGSTOP; SIGCONT resumes it right there. Tests use this to kill or freeze a
 * process at an exact step of the protocol instead of guessing with sleeps.
 */
export type PausePoint =
  'prepare-received' | 'prepared-durable' | 'votes-collected' | 'decision-durable' | 'decision-received';

const fired = new Set<string>();

function armedPoints(): string[] {
  return (process.env.TWOPC_PAUSE_AT ?? '')
    .split(',')
    .map((point) => point.trim())
    .filter((point) => point !== '');
}

export function pauseAt(point: PausePoint, detail: string): void {
  if (fired.has(point) || !armedPoints().includes(point)) return;
  fired.add(point);
  process.stdout.write(`twopc-hook: paused at ${point} ${detail}\n`);
  process.kill(process.pid, 'SIGSTOP');
}
