import type { PrepareRequest } from '../common/twopc-messages';
import type { ReplicaRecord } from './replica-record';
import { ReplicaState, type Step } from './replica-state';

function prepare(txId: string, overrides: Partial<PrepareRequest> = {}): PrepareRequest {
  return {
    txId,
    token: 5,
    value: `value of ${txId}`,
    version: 1,
    base: { value: null, version: 0 },
    ...overrides,
  };
}

/** Persists nothing, applies the records: what the service does after fsync. */
function run<R>(state: ReplicaState, step: Step<R>): R {
  for (const record of step.records) state.apply(record);
  return step.reply;
}

function replay(records: ReplicaRecord[]): ReplicaState {
  const state = new ReplicaState();
  for (const record of records) state.apply(record);
  return state;
}

describe('ReplicaState', () => {
  it('votes yes only after recording the prepared write, and commits it on the decision', () => {
    const state = new ReplicaState();
    const step = state.onPrepare(prepare('tx-5-1'), false);
    expect(step.reply).toEqual({ kind: 'vote', vote: 'yes' });
    expect(step.records).toContainEqual(expect.objectContaining({ t: 'prepared', txId: 'tx-5-1' }));
    run(state, step);
    expect(state.prepared?.txId).toBe('tx-5-1');
    expect(run(state, state.onDecide({ txId: 'tx-5-1', token: 5, decision: 'commit' }))).toEqual({
      kind: 'applied',
      value: 'value of tx-5-1',
      version: 1,
    });
    expect(state.register).toEqual({ value: 'value of tx-5-1', version: 1 });
    expect(state.prepared).toBeNull();
  });

  it('discards the prepared write on abort', () => {
    const state = new ReplicaState();
    run(state, state.onPrepare(prepare('tx-5-1'), false));
    run(state, state.onDecide({ txId: 'tx-5-1', token: 5, decision: 'abort' }));
    expect(state.register).toEqual({ value: null, version: 0 });
    expect(state.outcome('tx-5-1')).toEqual({ txId: 'tx-5-1', decision: 'abort', vote: 'yes' });
  });

  it('applies a repeated decision once', () => {
    const state = new ReplicaState();
    run(state, state.onPrepare(prepare('tx-5-1'), false));
    run(state, state.onDecide({ txId: 'tx-5-1', token: 5, decision: 'commit' }));
    const again = state.onDecide({ txId: 'tx-5-1', token: 5, decision: 'commit' });
    expect(again.records).toEqual([]);
    expect(again.reply).toEqual({ kind: 'applied', value: 'value of tx-5-1', version: 1 });
  });

  it('votes no on a wrong expectedVersion, at random, and while in doubt on another transaction', () => {
    const state = new ReplicaState();
    const stale = run(state, state.onPrepare(prepare('tx-5-1', { expectedVersion: 3 }), false));
    expect(stale).toEqual({ kind: 'vote', vote: 'no', reason: 'expectedVersion 3 but the register is at 0' });
    expect(run(state, state.onPrepare(prepare('tx-5-2'), true))).toMatchObject({ vote: 'no' });
    run(state, state.onPrepare(prepare('tx-5-3'), false));
    expect(run(state, state.onPrepare(prepare('tx-5-4'), false))).toMatchObject({
      vote: 'no',
      reason: 'in doubt on tx-5-3',
    });
    expect(state.outcome('tx-5-2')).toEqual({ txId: 'tx-5-2', decision: null, vote: 'no' });
  });

  it('answers a repeated prepare as it did the first time', () => {
    const state = new ReplicaState();
    run(state, state.onPrepare(prepare('tx-5-1'), false));
    expect(state.onPrepare(prepare('tx-5-1'), true)).toEqual({
      records: [],
      reply: { kind: 'vote', vote: 'yes' },
    });
  });

  it('refuses every message with a token below the highest it has seen, and remembers it across replay', () => {
    const state = new ReplicaState();
    const fenced = state.onFence(9);
    expect(fenced.records).toEqual([{ t: 'fence', token: 9 }]);
    run(state, fenced);
    const refused = { kind: 'refused', highestToken: 9 };
    expect(state.onPrepare(prepare('tx-5-1'), false)).toEqual({ records: [], reply: refused });
    expect(state.onDecide({ txId: 'tx-5-1', token: 5, decision: 'commit' })).toEqual({
      records: [],
      reply: refused,
    });
    expect(state.onFence(8).reply).toEqual(refused);
    expect(replay(fenced.records).onFence(5).reply).toEqual(refused);
  });

  it('keeps a prepared write across a restart and resolves it from what it learns', () => {
    const state = new ReplicaState();
    const records: ReplicaRecord[] = [];
    const step = state.onPrepare(prepare('tx-5-1'), false);
    records.push(...step.records);
    const recovered = replay(records);
    expect(recovered.prepared).toMatchObject({ txId: 'tx-5-1', token: 5 });
    expect(recovered.resolve('tx-5-9', 'commit', 5)).toEqual([]);
    records.push(...recovered.resolve('tx-5-1', 'commit', 7));
    expect(replay(records)).toMatchObject({
      value: 'value of tx-5-1',
      version: 1,
      highestToken: 7,
      prepared: null,
    });
  });

  it('catches up from the coordinator’s committed state when it is behind', () => {
    const state = new ReplicaState();
    const step = state.onPrepare(
      prepare('tx-5-4', { version: 4, base: { value: 'three', version: 3 } }),
      false,
    );
    expect(step.reply).toEqual({ kind: 'vote', vote: 'yes' });
    run(state, step);
    expect(state.register).toEqual({ value: 'three', version: 3 });
  });
});
