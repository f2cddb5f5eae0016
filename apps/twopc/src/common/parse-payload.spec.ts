import { MAX_VALUE_LENGTH, parseDecide, parseFence, parseOutcome, parsePrepare } from './parse-payload';

const PREPARE = { txId: 'tx-1-2', token: 3, value: 'v', version: 2, base: { value: null, version: 0 } };

describe('the two-phase-commit payload parsers', () => {
  it('accept a well-formed prepare, with or without expectedVersion', () => {
    expect(parsePrepare(PREPARE)).toEqual(PREPARE);
    expect(parsePrepare({ ...PREPARE, expectedVersion: 1, extra: true })).toEqual({
      ...PREPARE,
      expectedVersion: 1,
    });
    expect(parsePrepare({ ...PREPARE, base: { value: 'old', version: 1 } })).toMatchObject({
      base: { value: 'old', version: 1 },
    });
  });

  it.each([
    [null, /payload must be an object/],
    [[], /payload must be an object/],
    [{ ...PREPARE, txId: 'has space' }, /^txId/],
    [{ ...PREPARE, token: -1 }, /^token/],
    [{ ...PREPARE, value: 'x'.repeat(MAX_VALUE_LENGTH + 1) }, /^value/],
    [{ ...PREPARE, value: 7 }, /^value/],
    [{ ...PREPARE, version: 0 }, /^version/],
    [{ ...PREPARE, expectedVersion: 1.5 }, /^expectedVersion/],
    [{ ...PREPARE, base: 'x' }, /^base/],
    [{ ...PREPARE, base: { value: null, version: -1 } }, /^base/],
    [{ ...PREPARE, base: { value: 5, version: 1 } }, /^base/],
  ])('refuse a prepare %j, naming the field', (payload, message) => {
    expect(parsePrepare(payload)).toMatch(message);
  });

  it('parse decide, fence and outcome, refusing bad fields', () => {
    expect(parseDecide({ txId: 't', token: 1, decision: 'commit' })).toEqual({
      txId: 't',
      token: 1,
      decision: 'commit',
    });
    expect(parseDecide({ txId: 't', token: 1, decision: 'abort' })).toMatchObject({ decision: 'abort' });
    expect(parseDecide({ txId: 't', token: 1, decision: 'maybe' })).toMatch(/^decision/);
    expect(parseDecide({ txId: 't', token: 'one', decision: 'commit' })).toMatch(/^token/);
    expect(parseDecide({ token: 1, decision: 'commit' })).toMatch(/^txId/);
    expect(parseDecide('x')).toMatch(/object/);
    expect(parseFence({ token: 4 })).toEqual({ token: 4 });
    expect(parseFence({ token: Number.MAX_SAFE_INTEGER + 1 })).toMatch(/^token/);
    expect(parseFence(undefined)).toMatch(/object/);
    expect(parseOutcome({ txId: 'tx.9' })).toEqual({ txId: 'tx.9' });
    expect(parseOutcome({ txId: 'x'.repeat(65) })).toMatch(/^txId/);
    expect(parseOutcome(3)).toMatch(/object/);
  });
});
