import { SeededRandom } from './random';

describe('SeededRandom', () => {
  it('is mulberry32: a seed always gives the same sequence (a simulation replays from its seed)', () => {
    const random = new SeededRandom(42);
    expect([random.next(), random.next(), random.next()]).toEqual([
      0.6011037519201636, 0.44829055899754167, 0.8524657934904099,
    ]);
  });

  it('intBetween gives integers in [min, max], both ends included', () => {
    const pinned = new SeededRandom(7);
    expect(Array.from({ length: 8 }, () => pinned.intBetween(3, 9))).toEqual([3, 3, 9, 7, 6, 5, 6, 4]);
    const random = new SeededRandom(1);
    const seen = new Set(Array.from({ length: 2000 }, () => random.intBetween(-2, 2)));
    expect([...seen].sort((a, b) => a - b)).toEqual([-2, -1, 0, 1, 2]);
  });
});
