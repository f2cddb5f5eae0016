import { checkHistory, neighbourPairs } from './history-check';
import type { MealRecord } from './meal-record';

/** Philosopher p eats with forks p and p+1 (mod n), with the given tokens, from start to end. */
function meal(p: number, n: number, tokens: [number, number], startMs: number, endMs: number): MealRecord {
  return {
    philosopher: p,
    forks: [
      { fork: p, fencingToken: tokens[0] },
      { fork: (p + 1) % n, fencingToken: tokens[1] },
    ],
    startMs,
    endMs,
    finished: true,
  };
}

describe('checkHistory', () => {
  // Three philosophers taking turns: 0, then 1, then 2, then 0 again, tokens growing per fork.
  const clean = [
    meal(0, 3, [1, 2], 0, 10),
    meal(1, 3, [4, 5], 10, 20),
    meal(2, 3, [6, 7], 20, 30),
    meal(0, 3, [8, 9], 30, 40),
  ];

  it('finds nothing in a history where neighbours take turns and tokens grow', () => {
    expect(checkHistory(clean, 3)).toEqual({ overlaps: [], tokenRegressions: [] });
  });

  it('catches two neighbours eating at overlapping times', () => {
    const overlapping = meal(1, 3, [10, 11], 35, 45);
    const verdict = checkHistory([...clean, overlapping], 3);
    expect(verdict.overlaps).toHaveLength(1);
    expect(verdict.overlaps[0]?.first.philosopher).toBe(0);
    expect(verdict.overlaps[0]?.second).toBe(overlapping);
    expect(verdict.tokenRegressions).toEqual([]);
  });

  it('catches a meal that starts inside a long meal of a neighbour that began earlier', () => {
    const long = meal(2, 3, [12, 13], 50, 200);
    const inside = meal(0, 3, [14, 15], 100, 110);
    expect(checkHistory([long, meal(1, 3, [16, 17], 210, 220), inside], 3).overlaps).toHaveLength(1);
  });

  it('catches an unfinished meal of a dead philosopher that a neighbour overlapped', () => {
    const dead = { ...meal(1, 3, [10, 11], 50, 90), finished: false };
    expect(checkHistory([...clean, dead, meal(2, 3, [12, 13], 80, 95)], 3).overlaps).toHaveLength(1);
  });

  it('catches a fork whose fencing token went backwards', () => {
    const stale = meal(1, 3, [20, 3], 40, 50);
    const verdict = checkHistory([...clean, stale], 3);
    expect(verdict.overlaps).toEqual([]);
    expect(verdict.tokenRegressions).toHaveLength(1);
    expect(verdict.tokenRegressions[0]).toMatchObject({ fork: 2, earlierToken: 6, laterToken: 3 });
    expect(verdict.tokenRegressions[0]?.later).toBe(stale);
  });

  it('catches a token that did not grow (the same grant used twice)', () => {
    const repeated = meal(2, 3, [12, 8], 40, 50);
    expect(checkHistory([...clean, repeated], 3).tokenRegressions).toHaveLength(1);
  });

  it('lets meals touch: one ends as the next begins', () => {
    expect(checkHistory([meal(0, 2, [1, 2], 0, 10), meal(1, 2, [3, 4], 10, 20)], 2).overlaps).toEqual([]);
  });

  it('pairs each seat with the next, once each, also at a table of two', () => {
    expect(neighbourPairs(3)).toEqual([
      [0, 1],
      [1, 2],
      [2, 0],
    ]);
    expect(neighbourPairs(2)).toEqual([[0, 1]]);
  });
});
