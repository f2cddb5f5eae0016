import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat on Linux (USER_HZ is 100 on every common kernel). */
const USER_HZ = 100;

/** CPU seconds (user + system) a process has used so far, or null where /proc cannot tell. */
export function processCpuSeconds(pid: number): number | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    // The process is gone or this is not Linux: the figure is simply not available.
    return null;
  }
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const userTicks = Number(fields[11]);
  const systemTicks = Number(fields[12]);
  return Number.isFinite(userTicks + systemTicks) ? (userTicks + systemTicks) / USER_HZ : null;
}

/** CPU use of a set of processes over an interval, as a percentage of one core each. */
export class CpuMeter {
  private readonly startedAt = performance.now();
  private readonly startSeconds: (number | null)[];
  private readonly benchStart = process.cpuUsage();

  constructor(private readonly pids: readonly number[]) {
    this.startSeconds = pids.map(processCpuSeconds);
  }

  read(): { bench: number; servers: number[] | null } {
    const elapsedS = (performance.now() - this.startedAt) / 1000;
    const bench = process.cpuUsage(this.benchStart);
    const percent = (seconds: number) => Math.round((seconds / elapsedS) * 100);
    const servers = this.pids.map((pid, i) => {
      const now = processCpuSeconds(pid);
      const then = this.startSeconds[i];
      return now === null || then === null || then === undefined ? null : percent(now - then);
    });
    return {
      bench: percent((bench.user + bench.system) / 1e6),
      servers: servers.length === 0 || servers.includes(null) ? null : (servers as number[]),
    };
  }
}
