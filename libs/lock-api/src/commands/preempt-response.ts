import type { PreemptLockResponse } from '@app/protocol';
import type { LockOutcome } from '@app/lock-table';
import { AssertionError } from '@app/replicated-log';
import { ok, type LockApiResult } from '../lock-api-error';
import type { WaitResult } from '../waiting-preempts';

type Holder = { owner: string; fencingToken: number } | null;

/** What the client hears for a decided preempt; `queued` is answered by `fromWaitResult`. */
export function fromPreemptOutcome(outcome: LockOutcome, index: number): LockApiResult<PreemptLockResponse> {
  switch (outcome.type) {
    case 'granted':
      return ok({
        name: outcome.name,
        acquired: true,
        owner: outcome.owner,
        fencingToken: outcome.fencingToken,
        index,
      });
    case 'lockHeld':
      return ok({
        name: outcome.name,
        acquired: false,
        owner: outcome.owner,
        fencingToken: outcome.fencingToken,
        index,
      });
    case 'sessionNotFound':
      return { type: 'notFound', message: 'session not found: unknown, closed or expired' };
    case 'sessionMismatch':
      return { type: 'badRequest', message: 'sessionId belongs to another clientId' };
    default:
      return unreachableOutcome(outcome.type);
  }
}

export function fromWaitResult(
  name: string,
  result: WaitResult,
  holder: Holder,
): LockApiResult<PreemptLockResponse> {
  switch (result.type) {
    case 'granted':
      return ok({
        name,
        acquired: true,
        owner: result.owner,
        fencingToken: result.fencingToken,
        index: result.index,
      });
    case 'left':
      return ok({
        name,
        acquired: false,
        owner: holder?.owner ?? null,
        fencingToken: holder?.fencingToken ?? null,
        index: result.index,
      });
    case 'stillWaiting':
      return { type: 'unavailable', reason: 'the queue did not move in time; the outcome is unknown' };
  }
}

/** The lock table decided something this command cannot produce: a bug, never caught. */
export function unreachableOutcome(type: LockOutcome['type']): never {
  throw new AssertionError(`unexpected lock outcome ${type}`);
}
