import type { LedgerEntry } from './transaction-ledger';
import type { TransactionViewDto } from './dto/register-responses.dto';

/** What GET /transactions/{txId} shows of one ledger entry. */
export function transactionView(txId: string, entry: LedgerEntry): TransactionViewDto {
  const { begin, decision } = entry;
  const startedAt = begin?.at ?? null;
  const since = (at: number | null | undefined) => (startedAt === null || at == null ? null : at - startedAt);
  return {
    txId,
    value: begin?.value ?? null,
    version: begin?.version ?? null,
    expectedVersion: begin?.expectedVersion ?? null,
    coordinatorId: begin?.coordinatorId ?? null,
    fencingToken: begin?.token ?? 0,
    votes: decision?.votes ?? {},
    voteReasons: decision?.voteReasons ?? {},
    decision: decision?.decision ?? null,
    reason: decision?.reason ?? null,
    decidedUnderToken: decision?.token ?? null,
    complete: entry.doneAt !== null,
    timings:
      startedAt === null
        ? null
        : {
            startedAt: new Date(startedAt).toISOString(),
            decidedAfterMs: since(decision?.at),
            completedAfterMs: since(entry.doneAt),
          },
  };
}
