import { analyzeRun, parseHistory } from '@app/history-checker';
import type { FinalLockState, HistoryRecord } from '@app/history-checker';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { awaitConvergence, finalReads, observeRoles, runRecordedWorkload } from '@app/workload';
import { parseVerifyOptions } from './verify-options';
import { formatVerifyReport } from './verify-report';

function lastFinals(records: HistoryRecord[]): FinalLockState[] {
  return records
    .filter((r) => r.type === 'ok')
    .map((r) => ({ key: r.key, owner: r.result?.owner ?? null, token: r.result?.fencingToken ?? null }));
}

/** Re-checks a history file: the final reads are the records whose opId starts with "final-". */
function checkFile(file: string): number {
  const records = parseHistory(readFileSync(file, 'utf8'));
  const finals = lastFinals(records.filter((r) => r.opId.startsWith('final-')));
  const analysis = analyzeRun({ records, finals, roles: [], snapshots: [] });
  console.log(formatVerifyReport(analysis, resolve(file)));
  return analysis.anomalyCount === 0 && analysis.linearizability.verdict === 'ok' ? 0 : 1;
}

/** `npm run verify`: exit 0 when the history is linearizable and every invariant holds, 1 when not, 2 on usage errors. */
async function main(): Promise<number> {
  const options = parseVerifyOptions(process.argv.slice(2), new Date());
  if (options.check !== undefined) return checkFile(options.check);
  const out = resolve(options.out);
  const keyPrefix = `verify-${options.seed}-`;
  const keys = Array.from({ length: options.keys }, (_, i) => `${keyPrefix}${i}`);
  console.log(
    `seed=${options.seed} servers=${options.servers.join(',')} seconds=${options.seconds} history=${out}`,
  );
  writeFileSync(out, '');
  const record = (r: HistoryRecord) => appendFileSync(out, JSON.stringify(r) + '\n');
  const roles = await observeRoles(options.servers, options.requestTimeoutMs);
  const records = await runRecordedWorkload({
    servers: options.servers,
    durationMs: options.seconds * 1000,
    clients: options.clients,
    keys,
    requestTimeoutMs: options.requestTimeoutMs,
    seed: options.seed,
    onRecord: record,
  });
  const finals = await finalReads(options.servers, keys, options.requestTimeoutMs);
  finals.forEach(record);
  roles.push(...(await observeRoles(options.servers, options.requestTimeoutMs)));
  const { snapshots } = await awaitConvergence(options.servers, 10_000, options.requestTimeoutMs);
  const analysis = analyzeRun({
    records: [...records, ...finals],
    finals: lastFinals(finals),
    roles,
    snapshots,
  });
  console.log(formatVerifyReport(analysis, out));
  return analysis.anomalyCount === 0 && analysis.linearizability.verdict === 'ok' ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(2);
  },
);
