import type { LockOperation, PreemptOutcome, ReleaseOutcome } from './operation';

let counter = 0;

/** Terse constructors for hand-made histories in specs. */
export const h = {
  preempt(client: string, call: number, ret: number, outcome: PreemptOutcome, key = 'x'): LockOperation {
    return { kind: 'preempt', id: `op${++counter}`, key, client, call, ret, outcome };
  },
  granted(client: string, call: number, ret: number, token: number, key = 'x'): LockOperation {
    return h.preempt(client, call, ret, { type: 'granted', token }, key);
  },
  held(client: string, call: number, ret: number, owner?: string, token?: number, key = 'x'): LockOperation {
    return h.preempt(client, call, ret, { type: 'held', owner, token }, key);
  },
  release(client: string, call: number, ret: number, outcome: ReleaseOutcome, key = 'x'): LockOperation {
    return { kind: 'release', id: `op${++counter}`, key, client, call, ret, outcome };
  },
  released(client: string, call: number, ret: number, key = 'x'): LockOperation {
    return h.release(client, call, ret, { type: 'released' }, key);
  },
  check(call: number, ret: number, owner: string | null, token: number | null, key = 'x'): LockOperation {
    return { kind: 'check', id: `op${++counter}`, key, call, ret, owner, token };
  },
  expire(client: string, token: number, call: number, ret: number, key = 'x'): LockOperation {
    return { kind: 'expire', id: `op${++counter}`, key, client, token, call, ret };
  },
};
