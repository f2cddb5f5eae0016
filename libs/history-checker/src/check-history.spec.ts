import { checkHistory, describeOperation } from './check-history';
import { h } from './history-builder.spec-helper';
import type { LockOperation } from './operation';
import { defined } from '../../../test/support/defined';

const U = Infinity;

describe('checkHistory (per-lock linearizability)', () => {
  it('accepts a sequential history of grants, refusals, checks and releases', () => {
    const ops = [
      h.granted('c1', 0, 10, 5),
      h.held('c2', 20, 30, 'c1', 5),
      h.check(40, 50, 'c1', 5),
      h.released('c1', 60, 70),
      h.release('c1', 80, 90, { type: 'refused', reason: 'not_held' }),
      h.check(100, 110, null, null),
      h.granted('c2', 120, 130, 9),
      h.release('c1', 140, 150, { type: 'refused', reason: 'not_owner' }),
      h.granted('c2', 160, 170, 9),
    ];
    expect(checkHistory(ops).verdict).toBe('ok');
  });

  it('accepts overlapping operations that some order explains', () => {
    // c2's refusal returned before c1's grant did, but c1's grant may have taken effect first.
    const ops = [h.granted('c1', 0, 100, 5), h.held('c2', 10, 20, 'c1', 5), h.check(15, 25, 'c1', 5)];
    expect(checkHistory(ops).verdict).toBe('ok');
  });

  it('catches a double grant', () => {
    const ops = [h.granted('c1', 0, 10, 5), h.granted('c2', 20, 30, 6), h.check(40, 50, 'c2', 6)];
    const result = checkHistory(ops);
    expect(result.verdict).toBe('illegal');
    expect(result.firstIllegal?.key).toBe('x');
    expect(result.firstIllegal?.stuckAt.id).toBe(defined(ops[1], 'the second grant').id);
  });

  it('catches two concurrent grants to different clients', () => {
    const ops = [h.granted('c1', 0, 30, 5), h.granted('c2', 10, 40, 6)];
    expect(checkHistory(ops).verdict).toBe('illegal');
  });

  it('catches a lost release (a later check still sees the owner)', () => {
    const ops = [h.granted('c1', 0, 10, 5), h.released('c1', 20, 30), h.check(40, 50, 'c1', 5)];
    expect(checkHistory(ops).verdict).toBe('illegal');
  });

  it('catches a stale read after a release and a new grant', () => {
    const ops = [
      h.granted('c1', 0, 10, 5),
      h.released('c1', 20, 30),
      h.granted('c2', 40, 50, 9),
      h.check(60, 70, 'c1', 5),
    ];
    const result = checkHistory(ops);
    expect(result.verdict).toBe('illegal');
    expect(result.firstIllegal?.stuckAt.id).toBe(defined(ops[3], 'the fourth operation').id);
    expect(result.firstIllegal?.longestPrefix.map((o) => o.id)).toEqual(ops.slice(0, 3).map((o) => o.id));
  });

  it('catches a stale read that shows a freed lock as still free after a new grant', () => {
    const ops = [
      h.granted('c1', 0, 10, 5),
      h.released('c1', 20, 30),
      h.granted('c2', 40, 50, 9),
      h.check(60, 70, null, null),
    ];
    expect(checkHistory(ops).verdict).toBe('illegal');
  });

  it('catches a fencing token going backwards', () => {
    const ops = [h.granted('c1', 0, 10, 9), h.released('c1', 20, 30), h.granted('c2', 40, 50, 5)];
    expect(checkHistory(ops).verdict).toBe('illegal');
  });

  it('catches a release answered to a client that did not own the lock', () => {
    const ops = [h.granted('c1', 0, 10, 5), h.released('c2', 20, 30)];
    expect(checkHistory(ops).verdict).toBe('illegal');
  });

  it('catches a refusal that names the wrong owner or token', () => {
    expect(checkHistory([h.granted('c1', 0, 10, 5), h.held('c2', 20, 30, 'c3', 5)]).verdict).toBe('illegal');
    expect(checkHistory([h.granted('c1', 0, 10, 5), h.held('c2', 20, 30, 'c1', 4)]).verdict).toBe('illegal');
  });

  it('accepts a re-entrant preempt answered with the same token, and refuses a different one', () => {
    expect(checkHistory([h.granted('c1', 0, 10, 5), h.granted('c1', 20, 30, 5)]).verdict).toBe('ok');
    expect(checkHistory([h.granted('c1', 0, 10, 5), h.granted('c1', 20, 30, 7)]).verdict).toBe('illegal');
  });

  describe('operations with unknown outcome', () => {
    it('lets an unknown preempt take effect late, with a token learned later', () => {
      const ops = [
        h.preempt('c1', 0, U, { type: 'unknown' }),
        h.check(10, 20, null, null),
        h.check(30, 40, 'c1', 7),
        h.held('c2', 50, 60, 'c1', 7),
      ];
      expect(checkHistory(ops).verdict).toBe('ok');
    });

    it('lets an unknown preempt never take effect', () => {
      const ops = [
        h.preempt('c1', 0, U, { type: 'unknown' }),
        h.granted('c2', 10, 20, 3),
        h.check(30, 40, 'c2', 3),
      ];
      expect(checkHistory(ops).verdict).toBe('ok');
    });

    it('still refuses what no placement explains', () => {
      // c1's unknown grant is seen, then the lock is free without any release.
      const ops = [
        h.preempt('c1', 0, U, { type: 'unknown' }),
        h.check(10, 20, 'c1', 7),
        h.check(30, 40, null, null),
      ];
      expect(checkHistory(ops).verdict).toBe('illegal');
    });

    it('lets an unknown release explain a freed lock', () => {
      const ops = [
        h.granted('c1', 0, 10, 5),
        h.release('c1', 20, U, { type: 'unknown' }),
        h.check(30, 40, null, null),
      ];
      expect(checkHistory(ops).verdict).toBe('ok');
    });

    it('requires a later grant to exceed an unseen token', () => {
      const ops = [
        h.preempt('c1', 0, U, { type: 'unknown' }),
        h.check(10, 20, 'c1', 7),
        h.released('c1', 30, 40),
        h.granted('c2', 50, 60, 6),
      ];
      expect(checkHistory(ops).verdict).toBe('illegal');
    });
  });

  it('explains a grant after a TTL only with the expiry taken from the log', () => {
    const base = [h.granted('c1', 0, 10, 5), h.granted('c2', 50, 60, 8)];
    expect(checkHistory(base).verdict).toBe('illegal');
    expect(checkHistory([...base, h.expire('c1', 5, 10, 50)]).verdict).toBe('ok');
    expect(checkHistory([...base, h.expire('c1', 4, 10, 50)]).verdict).toBe('illegal');
  });

  it('checks each lock on its own and names the first illegal one', () => {
    const ops = [
      h.granted('c1', 0, 10, 5, 'a'),
      h.granted('c1', 0, 10, 6, 'b'),
      h.granted('c2', 20, 30, 7, 'b'),
      h.granted('c2', 20, 30, 8, 'c'),
    ];
    const result = checkHistory(ops);
    expect(result.keys.map((k) => [k.key, k.verdict])).toEqual([
      ['a', 'ok'],
      ['b', 'illegal'],
      ['c', 'ok'],
    ]);
    expect(result.firstIllegal?.key).toBe('b');
  });

  it('answers unknown when the search runs out of steps', () => {
    const ops = [h.granted('c1', 0, 10, 5), h.released('c1', 20, 30), h.granted('c2', 40, 50, 9)];
    expect(checkHistory(ops, 2).verdict).toBe('unknown');
  });

  it('checks a long concurrent history generated from a sequential run quickly', () => {
    const ops = randomLegalHistory(42, 300, 6);
    const result = checkHistory(ops);
    expect(result.verdict).toBe('ok');
    // and flipping one check's answer makes it illegal
    const i = ops.findIndex((o) => o.kind === 'check' && o.owner !== null);
    const broken = ops.map((o, j) =>
      j === i && o.kind === 'check' ? { ...o, token: (o.token ?? 0) + 1000 } : o,
    );
    expect(checkHistory(broken).verdict).toBe('illegal');
  });

  it('describes operations for reports', () => {
    expect(describeOperation(h.granted('c1', 1, 2, 5))).toMatch(/c1 preempt -> granted 5 \[1, 2\]/);
    expect(describeOperation(h.release('c1', 1, U, { type: 'unknown' }))).toMatch(
      /release -> unknown \[1, \?\]/,
    );
  });
});

/**
 * A history that is linearizable by construction: operations run one at a time against a
 * reference lock, each at an instant `t`, and each is given an interval around its instant
 * that overlaps its neighbours'.
 */
function randomLegalHistory(seed: number, count: number, clients: number): LockOperation[] {
  let s = seed;
  const rand = (n: number) => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s % n;
  };
  let owner: string | null = null;
  let token = 0;
  let index = 0;
  const ops: LockOperation[] = [];
  for (let i = 0; i < count; i++) {
    const at = i * 10;
    const call = at - rand(25);
    const ret = at + rand(25);
    const client = `c${rand(clients)}`;
    index += 1 + rand(3);
    const roll = rand(3);
    if (roll === 0) {
      if (owner === null) {
        owner = client;
        token = index;
        ops.push(h.granted(client, call, ret, token));
      } else if (owner === client) ops.push(h.granted(client, call, ret, token));
      else ops.push(h.held(client, call, ret, owner, token));
    } else if (roll === 1) {
      if (owner === client) {
        owner = null;
        ops.push(h.released(client, call, ret));
      } else {
        ops.push(
          h.release(client, call, ret, {
            type: 'refused',
            reason: owner === null ? 'not_held' : 'not_owner',
          }),
        );
      }
    } else {
      ops.push(h.check(call, ret, owner, owner === null ? null : token));
    }
  }
  return ops;
}
