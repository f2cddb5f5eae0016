import type { PeerAuth } from './peer-envelope';
import { ReplayGuard } from './replay-guard';

const NOW = 1_000_000;

function auth(seq: number, fields: Partial<PeerAuth> = {}): PeerAuth {
  return { epoch: 'e1', epochStartMs: 500_000, seq, sentAtMs: NOW, mac: '', ...fields };
}

describe('ReplayGuard', () => {
  let guard: ReplayGuard;
  beforeEach(() => {
    guard = new ReplayGuard(60_000, () => NOW);
  });

  it('accepts each sequence number once, also out of order within the window', () => {
    expect(guard.check('n1', auth(1))).toBe('fresh');
    expect(guard.check('n1', auth(3))).toBe('fresh');
    expect(guard.check('n1', auth(2))).toBe('fresh');
    expect(guard.check('n1', auth(2))).toBe('replayed');
    expect(guard.check('n1', auth(3))).toBe('replayed');
    expect(guard.check('n1', auth(1))).toBe('replayed');
  });

  it('refuses a number that fell out of the window, and keeps senders apart', () => {
    expect(guard.check('n1', auth(5000))).toBe('fresh');
    expect(guard.check('n1', auth(5000 - 1024))).toBe('replayed');
    expect(guard.check('n1', auth(5000 - 1023))).toBe('fresh');
    expect(guard.check('n2', auth(1))).toBe('fresh');
  });

  it('takes a later epoch of a restarted sender, and refuses the earlier one from then on', () => {
    expect(guard.check('n1', auth(40))).toBe('fresh');
    expect(guard.check('n1', auth(1, { epoch: 'e2', epochStartMs: 600_000 }))).toBe('fresh');
    expect(guard.check('n1', auth(41))).toBe('stale');
    expect(guard.check('n1', auth(2, { epoch: 'e3', epochStartMs: 550_000 }))).toBe('stale');
  });

  it('refuses a message sealed too long ago or too far ahead, even from a sender it has not seen', () => {
    expect(guard.check('n1', auth(1, { sentAtMs: NOW - 60_001 }))).toBe('stale');
    expect(guard.check('n1', auth(1, { sentAtMs: NOW + 60_001 }))).toBe('stale');
    expect(guard.check('n1', auth(1, { sentAtMs: NOW - 60_000 }))).toBe('fresh');
  });
});
