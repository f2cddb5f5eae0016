import { forkOrder, forkRank, forksOf, mayEat, neighboursOf } from './fork-names';

describe('forks and seats', () => {
  it('gives philosopher i forks i and i+1, around the table', () => {
    expect(forksOf(0, 5)).toEqual([0, 1]);
    expect(forksOf(4, 5)).toEqual([4, 0]);
  });

  it('ranks every fork differently: one total order, so waits cannot form a cycle', () => {
    for (const n of [2, 3, 4, 5, 6, 7, 64]) {
      const ranks = Array.from({ length: n }, (_, fork) => forkRank(fork, n));
      expect(new Set(ranks).size).toBe(n);
    }
  });

  it('has every philosopher take the lower-ranked fork first', () => {
    for (const n of [2, 3, 5, 8]) {
      for (let p = 0; p < n; p++) {
        const [first, second] = forkOrder(p, n);
        expect([first, second].sort()).toEqual([...forksOf(p, n)].sort());
        expect(forkRank(first, n)).toBeLessThan(forkRank(second, n));
      }
    }
  });

  it('makes every odd fork the second fork of both its users', () => {
    for (const n of [4, 5, 6, 7]) {
      for (let p = 0; p < n; p++) {
        const [first, second] = forkOrder(p, n);
        expect(first % 2).toBe(0);
        if (second % 2 === 0) expect([p, second]).toEqual([n - 1, 0]);
      }
    }
    expect(forkOrder(4, 5)).toEqual([4, 0]);
    expect(forkOrder(1, 5)).toEqual([2, 1]);
  });

  it('lets a philosopher eat only when it has eaten no more than its seated neighbours', () => {
    const seated = [true, true, true];
    expect(mayEat(0, [1, 1, 1], seated)).toBe(true);
    expect(mayEat(0, [2, 1, 3], seated)).toBe(false);
    expect(mayEat(0, [2, 1, 3], [true, false, true])).toBe(true);
    expect(neighboursOf(0, 2)).toEqual([1]);
  });
});
