import { jainIndex, longestGap, maxMinRatio, percentile } from './dinner-figures';

describe('dinner figures', () => {
  it("computes Jain's index: 1 for equal shares, 1/n when one gets everything", () => {
    expect(jainIndex([10, 10, 10, 10])).toBe(1);
    expect(jainIndex([40, 0, 0, 0])).toBe(0.25);
    expect(jainIndex([1, 2])).toBeCloseTo(0.9, 5);
  });

  it('computes max/min, infinite when somebody never ate', () => {
    expect(maxMinRatio([10, 11, 12])).toBeCloseTo(1.2, 5);
    expect(maxMinRatio([3, 0])).toBe(Infinity);
  });

  it('takes nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, k) => 100 - k);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([], 50)).toBe(0);
  });

  it('finds the longest gap, counting the window ends', () => {
    expect(longestGap([2, 3, 9], 0, 10)).toBe(6);
    expect(longestGap([], 0, 10)).toBe(10);
  });
});
