import { INITIAL_LOCK_STATE, stateSetKey, stepLockStates } from './lock-model';
import type { LockModelState } from './lock-model';
import type { LockOperation } from './operation';
import { elementAt } from './element-at';

export type Verdict = 'ok' | 'illegal' | 'unknown';

export interface PartitionResult {
  verdict: Verdict;
  /** search steps taken */
  steps: number;
  /** on 'illegal': the longest sequence of operations the search could linearize ... */
  longestPrefix: LockOperation[];
  /** ... and the operation that returned before it could be placed after that prefix */
  stuckAt: LockOperation | null;
}

/** One end of an operation's interval in the doubly linked call/return list. */
interface Entry {
  op: number;
  isCall: boolean;
  time: number;
  match: Entry | null;
  prev: Entry | null;
  next: Entry | null;
}

/**
 * The call/return list of the Wing & Gong search: every operation's call and return,
 * by time; at equal times calls come first, so intervals are closed and touching ones
 * count as concurrent. Returns the sentinel head.
 */
function buildEntries(ops: readonly LockOperation[]): Entry {
  const entries: Entry[] = [];
  ops.forEach((op, i) => {
    const call: Entry = { op: i, isCall: true, time: op.call, match: null, prev: null, next: null };
    const ret: Entry = { op: i, isCall: false, time: op.ret, match: null, prev: null, next: null };
    call.match = ret;
    entries.push(call, ret);
  });
  entries.sort((a, b) => a.time - b.time || Number(b.isCall) - Number(a.isCall) || a.op - b.op);
  const head: Entry = { op: -1, isCall: false, time: -Infinity, match: null, prev: null, next: null };
  let last = head;
  for (const entry of entries) {
    last.next = entry;
    entry.prev = last;
    last = entry;
  }
  return head;
}

/** Takes a call entry and its return out of the list (the operation is linearized). */
function lift(call: Entry): void {
  call.prev!.next = call.next;
  if (call.next) call.next.prev = call.prev;
  const ret = call.match!;
  ret.prev!.next = ret.next;
  if (ret.next) ret.next.prev = ret.prev;
}

/** Puts them back, in the reverse order of lift. */
function unlift(call: Entry): void {
  const ret = call.match!;
  ret.prev!.next = ret;
  if (ret.next) ret.next.prev = ret;
  call.prev!.next = call;
  if (call.next) call.next.prev = call;
}

/** Lowe's memo: (set of linearized operations, set of model states) pairs already explored. */
class Explored {
  private readonly seen = new Map<bigint, Set<string>>();

  addIfNew(linearized: bigint, states: readonly LockModelState[]): boolean {
    const key = stateSetKey(states);
    const known = this.seen.get(linearized);
    if (known?.has(key)) return false;
    if (known) known.add(key);
    else this.seen.set(linearized, new Set([key]));
    return true;
  }
}

/**
 * Whether the operations of one lock are linearizable under the lock model: the
 * Wing & Gong backtracking search with Lowe's memoization of (linearized set, state),
 * as described by Horn & Kroening and used by Porcupine. Linearizable operations can
 * always be moved to the front of the remaining list; a return reached before its call
 * was placed means backtracking. `maxSteps` bounds the work: exceeding it gives 'unknown'.
 */
export function checkPartition(ops: readonly LockOperation[], maxSteps = 2_000_000): PartitionResult {
  const head = buildEntries(ops);
  const explored = new Explored();
  const stack: { call: Entry; states: LockModelState[] }[] = [];
  let states: LockModelState[] = [INITIAL_LOCK_STATE];
  let linearized = 0n;
  let entry = head.next;
  let steps = 0;
  let best: { prefix: number[]; stuck: number } = { prefix: [], stuck: -1 };
  while (head.next !== null && entry !== null) {
    if (++steps > maxSteps) return { verdict: 'unknown', steps, longestPrefix: [], stuckAt: null };
    if (entry.isCall) {
      const next = stepLockStates(states, elementAt(ops, entry.op, 'operation'));
      const withOp = linearized | (1n << BigInt(entry.op));
      if (next.length > 0 && explored.addIfNew(withOp, next)) {
        stack.push({ call: entry, states });
        states = next;
        linearized = withOp;
        lift(entry);
        entry = head.next;
      } else {
        entry = entry.next;
      }
      continue;
    }
    if (best.stuck === -1 || stack.length > best.prefix.length) {
      best = { prefix: stack.map((s) => s.call.op), stuck: entry.op };
    }
    const top = stack.pop();
    if (top === undefined) {
      return {
        verdict: 'illegal',
        steps,
        longestPrefix: best.prefix.map((i) => elementAt(ops, i, 'operation')),
        stuckAt: elementAt(ops, best.stuck, 'operation'),
      };
    }
    states = top.states;
    linearized &= ~(1n << BigInt(top.call.op));
    unlift(top.call);
    entry = top.call.next;
  }
  return { verdict: 'ok', steps, longestPrefix: [], stuckAt: null };
}
