import { h } from './history-builder.spec-helper';
import {
  convergenceViolations,
  leaderViolations,
  lostChangeViolations,
  prefixViolations,
  tokenViolations,
} from './invariants';

describe('invariants', () => {
  it('tokens strictly increase per lock', () => {
    const ok = [
      h.granted('c1', 0, 10, 3),
      h.granted('c1', 12, 14, 3),
      h.granted('c2', 20, 30, 7),
      h.granted('c3', 5, 8, 4, 'y'),
    ];
    expect(tokenViolations(ok)).toEqual([]);
    expect(tokenViolations([h.granted('c1', 0, 10, 3), h.granted('c2', 20, 30, 3)])).toEqual([
      expect.stringMatching(/token 3 granted to both c1 and c2/),
    ]);
    expect(tokenViolations([h.granted('c1', 0, 10, 7), h.granted('c2', 20, 30, 5)])).toEqual([
      expect.stringMatching(/token went back from 7/),
    ]);
    // concurrent grants may carry tokens in either order (the checker judges them)
    expect(tokenViolations([h.granted('c1', 0, 30, 7), h.granted('c2', 20, 40, 5)])).toEqual([]);
  });

  it('no acknowledged change is lost in the final state', () => {
    const ops = [h.granted('c1', 0, 10, 3), h.released('c1', 20, 30), h.granted('c2', 40, 50, 9)];
    expect(lostChangeViolations(ops, [{ key: 'x', owner: 'c2', token: 9 }])).toEqual([]);
    expect(lostChangeViolations(ops, [{ key: 'x', owner: null, token: null }])).toEqual([
      expect.stringMatching(/acknowledged grant 9 to c2 .* lost: final free/),
    ]);
    expect(lostChangeViolations(ops, [{ key: 'x', owner: 'c1', token: 3 }])).toEqual(
      expect.arrayContaining([expect.stringMatching(/older than acknowledged grant 9/)]),
    );
    const released = [h.granted('c1', 0, 10, 3), h.released('c1', 20, 30)];
    expect(lostChangeViolations(released, [{ key: 'x', owner: null, token: null }])).toEqual([]);
    expect(lostChangeViolations(released, [{ key: 'x', owner: 'c1', token: 3 }])).toEqual([
      expect.stringMatching(/acknowledged release .* lost/),
    ]);
  });

  it('at most one leader per term', () => {
    const fine = [
      { node: 'n1', term: 2, role: 'leader' },
      { node: 'n1', term: 2, role: 'leader' },
      { node: 'n2', term: 3, role: 'leader' },
      { node: 'n1', term: 3, role: 'follower' },
    ];
    expect(leaderViolations(fine)).toEqual([]);
    expect(leaderViolations([...fine, { node: 'n3', term: 3, role: 'leader' }])).toEqual([
      'term 3 had 2 leaders: n2, n3',
    ]);
  });

  it('committed prefixes are equal on all nodes', () => {
    const a = {
      node: 'n1',
      entries: [
        { index: 1, term: 1 },
        { index: 2, term: 1 },
        { index: 3, term: 2 },
      ],
    };
    const b = {
      node: 'n2',
      entries: [
        { index: 1, term: 1 },
        { index: 2, term: 1 },
      ],
    };
    expect(prefixViolations([a, b])).toEqual([]);
    const c = {
      node: 'n3',
      entries: [
        { index: 1, term: 1 },
        { index: 2, term: 2 },
      ],
    };
    expect(prefixViolations([a, c])).toEqual(['index 2: n1 has term 1, n3 has term 2']);
  });

  it('nodes converge after the heal', () => {
    const same = [
      { node: 'n1', appliedIndex: 40, locks: 'x=c1@3' },
      { node: 'n2', appliedIndex: 40, locks: 'x=c1@3' },
    ];
    expect(convergenceViolations(same)).toEqual([]);
    expect(convergenceViolations([...same, { node: 'n3', appliedIndex: 38, locks: 'x=c1@3' }])).toEqual([
      'n3 (index 38) differs from n1 (index 40)',
    ]);
  });
});
