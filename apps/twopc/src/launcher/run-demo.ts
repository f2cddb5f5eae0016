import { writeFileSync } from 'node:fs';
import type { LauncherOptions } from '../cli/launcher-options';
import type { Decision, RecordedVote } from '../common/twopc-messages';
import {
  buildReport,
  formatSummary,
  formatTransaction,
  type DemoTransaction,
  type ReplicaSnapshot,
} from './demo-report';
import { httpJson, sleepMs, waitUntil } from './http-json';
import { TwoPcStack } from './twopc-stack';
import { stopOnSignals } from './stop-on-signals';

const ROUND_TIMEOUT_MS = 60_000;

interface WriteAnswer {
  txId?: string;
  committed?: boolean;
}

interface TransactionView {
  votes: Record<string, RecordedVote>;
  voteReasons: Record<string, string>;
  decision: Decision | null;
  reason: string | null;
}

/** `--rounds N`: starts everything, writes N values through the coordinators' HTTP API, prints what happened, stops everything. */
export async function runDemo(options: LauncherOptions): Promise<number> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(
    `starting ${options.servers.length === 0 ? 'a local Latchkey cluster, ' : ''}${options.replicas} replicas and ${1 + options.standbys} coordinator(s)...`,
  );
  const stack = TwoPcStack.create(options, (member, how) =>
    out(`(${member.name} exited: ${how}; log ${member.logFile})`),
  );
  stopOnSignals(() => stack.stop());
  const transactions: DemoTransaction[] = [];
  try {
    await stack.launch(options);
    out(
      `ready: coordinator ${stack.activeUrl} (Swagger ${stack.activeUrl}/docs), data in ${stack.layout.root}\n`,
    );
    for (let round = 1; round <= options.rounds; round++) {
      const tx = await runRound(stack, `v${round}`);
      transactions.push(tx);
      out(formatTransaction(round, tx));
    }
    const replicas = await replicaSnapshots(stack);
    const report = buildReport(transactions, replicas);
    out(`\n${formatSummary(report)}`);
    if (options.json !== null) {
      writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
      out(`wrote ${options.json}`);
    }
    return report.consistent ? 0 : 1;
  } finally {
    await stack.stop();
  }
}

async function runRound(stack: TwoPcStack, value: string): Promise<DemoTransaction> {
  const { url, txId } = await writeOnce(stack, value);
  const view = await waitUntil(
    `the decision of ${txId}`,
    async () => {
      const answer = await httpJson<TransactionView>('GET', `${url}/transactions/${txId}`);
      return answer.ok && answer.status === 200 && answer.body.decision !== null ? answer.body : null;
    },
    ROUND_TIMEOUT_MS,
  );
  const after = await replicaSnapshots(stack);
  const decision = view.decision ?? 'abort';
  return {
    txId,
    value,
    votes: view.votes,
    voteReasons: view.voteReasons,
    decision,
    reason: view.reason,
    after,
  };
}

/** PUT /register on whichever coordinator is active; a 503 (standby, replica reconnecting) is retried. */
async function writeOnce(stack: TwoPcStack, value: string): Promise<{ url: string; txId: string }> {
  const deadline = Date.now() + ROUND_TIMEOUT_MS;
  let last = '';
  while (Date.now() < deadline) {
    for (const { url } of stack.layout.coordinators) {
      const answer = await httpJson<WriteAnswer>('PUT', `${url}/register`, { value });
      if (!answer.ok) {
        last = answer.error;
        continue;
      }
      if ((answer.status === 200 || answer.status === 409) && answer.body.txId)
        return { url, txId: answer.body.txId };
      last = `${answer.status} ${JSON.stringify(answer.body)}`;
    }
    await sleepMs(200);
  }
  throw new Error(`no coordinator took the write of ${value}: ${last}`);
}

async function replicaSnapshots(stack: TwoPcStack): Promise<ReplicaSnapshot[]> {
  for (const { url } of stack.layout.coordinators) {
    const answer = await httpJson<ReplicaSnapshot[]>('GET', `${url}/replicas`);
    if (answer.ok && answer.status === 200)
      return answer.body.map(({ id, value, version, state }) => ({ id, value, version, state }));
  }
  return [];
}
