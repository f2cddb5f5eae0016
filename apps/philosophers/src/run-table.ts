import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DinnerTable } from './dinner-table';
import { summarize } from './dinner-summary';
import type { DinnerSummary } from './dinner-summary';
import { EmbeddedCluster } from './embedded-cluster';
import { mealsChartSvg } from './meals-chart';
import { progressLine } from './progress-line';
import { reportText } from './report-text';
import type { TableOptions } from './table-options';

export const EXIT_OK = 0;
export const EXIT_VIOLATION = 1;
export const EXIT_ERROR = 2;
export const EXIT_INTERRUPTED = 130;

/** The script of this program; philosophers are the same script started with `--role philosopher`. */
function ownScript(): string {
  const script = process.argv[1];
  if (script === undefined) throw new Error('node was started without a script');
  return resolve(script);
}

/** The project folder: this bundle is dist/apps/philosophers/main.js under it. */
function projectRoot(): string {
  return resolve(dirname(ownScript()), '..', '..', '..');
}

function out(text: string): void {
  process.stdout.write(text);
}

/** Ctrl-C or SIGTERM ends the dinner early (and a second one stops everything at once). */
function interruption(onSecond: () => void): {
  interrupted: Promise<void>;
  happened: () => boolean;
  dispose: () => void;
} {
  let fired = false;
  let firedAt = 0;
  let fire: () => void = () => undefined;
  const interrupted = new Promise<void>((resolve) => (fire = resolve));
  const handler = (signal: NodeJS.Signals) => {
    // `nest start` forwards the terminal's Ctrl-C, which the whole process group got already:
    // only a second Ctrl-C a moment later means "stop now".
    if (fired) return performance.now() - firedAt > 1000 ? onSecond() : undefined;
    fired = true;
    firedAt = performance.now();
    out(`\n${signal}: ending the dinner and stopping every process...\n`);
    fire();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    interrupted,
    happened: () => fired,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

function header(options: TableOptions): string {
  return (
    `Dining philosophers on Latchkey: ${options.philosophers} philosophers, ${options.seconds} s, ` +
    `eat ${options.eatMs} ms, think ${options.thinkMs} ms, session TTL ${options.sessionTtlMs} ms\n`
  );
}

function writeOutputs(
  options: TableOptions,
  summary: DinnerSummary,
  pids: { philosophers: number[]; nodes: number[] },
) {
  if (options.chart !== undefined) {
    writeFileSync(options.chart, mealsChartSvg(summary));
    out(`chart: ${options.chart}\n`);
  }
  if (options.json !== undefined) {
    writeFileSync(options.json, JSON.stringify({ ...summary, processes: pids }, null, 2) + '\n');
    out(`json: ${options.json}\n`);
  }
}

/** The whole program of the table; resolves with the exit code. */
export async function runTable(options: TableOptions): Promise<number> {
  out(header(options));
  let cluster: EmbeddedCluster | null = null;
  let table: DinnerTable | null = null;
  const signals = interruption(() => {
    table?.killAllNow();
    cluster?.killAllNow();
    process.exit(EXIT_INTERRUPTED);
  });
  try {
    if (options.servers.length === 0) {
      out('starting an embedded three-node cluster...\n');
      cluster = await EmbeddedCluster.start(projectRoot());
    }
    const nodes = cluster?.addresses ?? options.servers;
    out(`cluster: ${cluster ? 'embedded, ' : ''}${nodes.join(', ')}\n`);
    table = new DinnerTable(options, nodes, ownScript(), cluster !== null);
    if (cluster !== null) table.setNodeKiller(cluster);
    if (signals.happened()) return EXIT_INTERRUPTED;
    await table.seatEveryone(signals.interrupted);
    out(
      `run ${table.setup.runId}: forks are the locks table-${table.setup.runId}-fork-0..${options.philosophers - 1}\n`,
    );
    const elapsedMs = await dineWithProgress(table, options, signals.interrupted);
    const summary = summarize(table.setup, table.log, elapsedMs, table.faults, signals.happened());
    out(reportText(summary));
    writeOutputs(options, summary, { philosophers: table.pids, nodes: cluster?.pids ?? [] });
    if (signals.happened()) return EXIT_INTERRUPTED;
    return summary.violations.length > 0 ? EXIT_VIOLATION : EXIT_OK;
  } catch (err: unknown) {
    process.stderr.write(`philosophers: ${err instanceof Error ? err.message : String(err)}\n`);
    return signals.happened() ? EXIT_INTERRUPTED : EXIT_ERROR;
  } finally {
    await table?.waitAllGone(5000);
    await cluster?.stop();
    signals.dispose();
  }
}

async function dineWithProgress(table: DinnerTable, options: TableOptions, interrupted: Promise<void>) {
  const tty = process.stdout.isTTY === true;
  let lastPrintedMs = 0;
  const tick = () => {
    const line = progressLine(table.log, table.now(), options.seconds);
    if (tty) return out(`\r\x1b[2K${line}`);
    // Not a terminal (a pipe, a CI log): a line every five seconds instead of redrawing one.
    if (table.now() - lastPrintedMs < 5000) return;
    lastPrintedMs = table.now();
    out(`${line}\n`);
  };
  const elapsedMs = await table.dine(interrupted, tick, tty ? 200 : 1000);
  if (tty) out('\r\x1b[2K');
  return elapsedMs;
}
