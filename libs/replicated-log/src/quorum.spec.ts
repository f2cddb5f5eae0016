import { majorityOf, quorumMatchIndex } from './quorum';
import { SeededRandom } from './random';

/**
 * The definition, spelled out (etcd-io/raft quorum/quick_test.go's idea): an index is
 * committed when a majority has it, so the answer is the largest index that at least a
 * majority of members have matched.
 */
function naiveQuorumMatchIndex(matchIndexes: readonly number[]): number {
  let best = 0;
  for (const candidate of matchIndexes) {
    const holders = matchIndexes.filter((match) => match >= candidate).length;
    if (holders >= majorityOf(matchIndexes.length) && candidate > best) best = candidate;
  }
  return best;
}

describe('majorityOf', () => {
  it.each([
    [1, 1],
    [2, 2],
    [3, 2],
    [4, 3],
    [5, 3],
    [6, 4],
    [7, 4],
    [9, 5],
  ])('a cluster of %i needs %i', (members, majority) => {
    expect(majorityOf(members)).toBe(majority);
  });

  it('two majorities of the same membership always overlap', () => {
    for (let n = 1; n <= 15; n++) expect(2 * majorityOf(n)).toBeGreaterThan(n);
  });
});

describe('quorumMatchIndex', () => {
  it('is 0 for an empty membership', () => {
    expect(quorumMatchIndex([])).toBe(0);
  });

  it.each([
    [[5], 5],
    [[5, 3], 3],
    [[5, 3, 1], 3],
    [[1, 3, 5], 3],
    [[7, 7, 0, 0], 0],
    [[7, 7, 7, 0], 7],
    [[9, 8, 2, 1, 0], 2],
  ])('%j -> %i', (matchIndexes, expected) => {
    expect(quorumMatchIndex(matchIndexes)).toBe(expected);
  });

  it("does not reorder the caller's array", () => {
    const matchIndexes = [1, 9, 4];
    quorumMatchIndex(matchIndexes);
    expect(matchIndexes).toEqual([1, 9, 4]);
  });

  it('agrees with the naive definition on 20,000 random memberships', () => {
    const random = new SeededRandom(20240611);
    for (let i = 0; i < 20_000; i++) {
      const size = random.intBetween(1, 9);
      // Small ranges make ties and duplicates common, which is where off-by-ones hide.
      const maxIndex = random.intBetween(0, random.next() < 0.5 ? 5 : 1000);
      const matchIndexes = Array.from({ length: size }, () => random.intBetween(0, maxIndex));
      const expected = naiveQuorumMatchIndex(matchIndexes);
      if (quorumMatchIndex(matchIndexes) !== expected) {
        throw new Error(
          `case ${i}: quorumMatchIndex(${JSON.stringify(matchIndexes)}) = ${quorumMatchIndex(matchIndexes)}, expected ${expected}`,
        );
      }
    }
  });
});
