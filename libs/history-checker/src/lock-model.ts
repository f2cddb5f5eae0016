import type { CheckOperation, LockOperation, PreemptOperation, ReleaseOperation } from './operation';

/**
 * The state of one lock: its owner and the fencing token of the grant that made it so
 * (kept after a release, so the next grant must exceed it). After a preempt of unknown
 * outcome took the lock, the token is known only to be at least `token`: `exact` is false
 * until an answer names it.
 */
export interface LockModelState {
  readonly owner: string | null;
  readonly token: number;
  readonly exact: boolean;
}

export const INITIAL_LOCK_STATE: LockModelState = { owner: null, token: 0, exact: true };

/** Whether the real token may equal `token` in `state`. */
function tokenMayBe(state: LockModelState, token: number): boolean {
  return state.exact ? state.token === token : token >= state.token;
}

function known(owner: string | null, token: number): LockModelState {
  return { owner, token, exact: true };
}

/**
 * Every state `op` may lead to from `state`; empty when the operation's answer is
 * impossible in `state`. A list, not one state, because unknown outcomes branch (took
 * effect, or did not) and so does a grant whose token nobody has seen yet.
 */
export function stepLock(state: LockModelState, op: LockOperation): LockModelState[] {
  switch (op.kind) {
    case 'preempt':
      return stepPreempt(state, op);
    case 'release':
      return stepRelease(state, op);
    case 'check':
      return stepCheck(state, op);
    case 'expire':
      return state.owner === op.client && tokenMayBe(state, op.token) ? [known(null, op.token)] : [];
  }
}

function stepPreempt(state: LockModelState, op: PreemptOperation): LockModelState[] {
  const { outcome } = op;
  switch (outcome.type) {
    case 'granted': {
      const fresh = state.owner === null && outcome.token > state.token;
      // Preempting a lock one already holds answers the same grant again (a safe retry).
      const again = state.owner === op.client && tokenMayBe(state, outcome.token);
      return fresh || again ? [known(op.client, outcome.token)] : [];
    }
    case 'held': {
      if (state.owner === null || state.owner === op.client) return [];
      if (outcome.owner !== undefined && outcome.owner !== state.owner) return [];
      if (outcome.token === undefined) return [state];
      return tokenMayBe(state, outcome.token) ? [known(state.owner, outcome.token)] : [];
    }
    case 'unknown':
      // No effect, or a grant with a token larger than any before.
      return state.owner === null
        ? [state, { owner: op.client, token: state.token + 1, exact: false }]
        : [state];
  }
}

function stepRelease(state: LockModelState, op: ReleaseOperation): LockModelState[] {
  const { outcome } = op;
  const owns = state.owner === op.client;
  const freed: LockModelState = { owner: null, token: state.token, exact: state.exact };
  switch (outcome.type) {
    case 'released':
      return owns ? [freed] : [];
    case 'refused':
      if (owns) return [];
      if (outcome.reason === 'not_held') return state.owner === null ? [state] : [];
      if (outcome.reason === 'not_owner') return state.owner !== null ? [state] : [];
      return [state];
    case 'unknown':
      return owns ? [state, freed] : [state];
  }
}

function stepCheck(state: LockModelState, op: CheckOperation): LockModelState[] {
  if (op.owner === null) return state.owner === null ? [state] : [];
  if (state.owner !== op.owner || op.token === null) return [];
  return tokenMayBe(state, op.token) ? [known(op.owner, op.token)] : [];
}

/** A canonical text for a set of states, for the search's memo of (linearized set, states). */
export function stateSetKey(states: readonly LockModelState[]): string {
  return states
    .map((s) => `${s.owner ?? '-'}|${s.token}|${s.exact ? 'e' : 'm'}`)
    .sort()
    .join(';');
}

/** The union of the successors of every state, without duplicates (the powerset view of a nondeterministic model). */
export function stepLockStates(states: readonly LockModelState[], op: LockOperation): LockModelState[] {
  const seen = new Map<string, LockModelState>();
  for (const state of states) {
    for (const next of stepLock(state, op)) seen.set(stateSetKey([next]), next);
  }
  return [...seen.values()];
}
