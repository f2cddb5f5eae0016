import type { DinnerLog } from './dinner-log';

/** The live line: elapsed time, meals so far and their rate, meals per philosopher, who eats. */
export function progressLine(log: DinnerLog, elapsedMs: number, seconds: number): string {
  const total = log.counts.reduce((a, b) => a + b, 0);
  const rate = elapsedMs > 0 ? (1000 * total) / elapsedMs : 0;
  const counts =
    log.philosophers <= 12
      ? `[${log.counts.join(' ')}]`
      : `min ${Math.min(...log.counts)} max ${Math.max(...log.counts)}`;
  const eating = log.counts.flatMap((_, p) => (log.isEating(p) ? [`P${p}`] : [])).join(' ') || '-';
  const gone = log.seated.filter((s) => !s).length;
  return (
    `${(elapsedMs / 1000).toFixed(1).padStart(5)} s / ${seconds} s  meals ${total} (${rate.toFixed(1)}/s)  ${counts}  ` +
    `eating: ${eating}${gone > 0 ? `  left: ${gone}` : ''}`
  );
}
