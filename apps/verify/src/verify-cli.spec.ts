import { analyzeRun } from '@app/history-checker';
import type { HistoryRecord } from '@app/history-checker';
import { parseVerifyOptions } from './verify-options';
import { formatVerifyReport } from './verify-report';

describe('parseVerifyOptions', () => {
  const now = new Date('2026-01-02T03:04:05.678Z');

  it('has defaults, with a history file named after the time', () => {
    const options = parseVerifyOptions([], now);
    expect(options).toEqual({
      servers: ['127.0.0.1:3001', '127.0.0.1:3002', '127.0.0.1:3003'],
      seconds: 60,
      clients: 8,
      keys: 4,
      seed: expect.any(Number),
      requestTimeoutMs: 3000,
      out: 'verify-history-2026-01-02T03-04-05-678Z.jsonl',
    });
    expect(options.seed).toBeGreaterThanOrEqual(1);
  });

  it('reads every option', () => {
    expect(
      parseVerifyOptions(
        ['--servers', 'a:1, b:2', '--seconds', '5', '--seed', '42', '--check', 'h.jsonl', '--out', 'o'],
        now,
      ),
    ).toMatchObject({ servers: ['a:1', 'b:2'], seconds: 5, seed: 42, check: 'h.jsonl', out: 'o' });
  });

  it('exits 2 on a usage error', () => {
    const exit = jest.spyOn(process, 'exit').mockImplementation((code) => {
      throw new Error(`exit ${String(code)}`);
    });
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(() => parseVerifyOptions(['--clients', '0'], now)).toThrow('exit 2');
      expect(() => parseVerifyOptions(['--servers', 'nohost'], now)).toThrow('exit 2');
    } finally {
      exit.mockRestore();
      stderr.mockRestore();
    }
  });
});

describe('formatVerifyReport', () => {
  const base = { client: 'c1', key: 'x', node: '127.0.0.1:3001', type: 'ok' as const };

  it('says LINEARIZABLE for a legal history', () => {
    const records: HistoryRecord[] = [
      {
        ...base,
        opId: 'a',
        f: 'preempt',
        tInvoke: 0,
        tComplete: 5,
        result: { acquired: true, fencingToken: 1 },
      },
      { ...base, opId: 'b', f: 'release', tInvoke: 6, tComplete: 9, result: { released: true } },
    ];
    const report = formatVerifyReport(
      analyzeRun({ records, finals: [], roles: [], snapshots: [] }),
      'h.jsonl',
    );
    expect(report).toMatch(/^operations: 2 \(/);
    expect(report).toContain('locks checked: 1');
    expect(report.split('\n').at(-1)).toBe('LINEARIZABLE: no anomalies; history in h.jsonl');
  });

  it('names the first operation that cannot be linearized', () => {
    // Two clients both granted the same lock at overlapping times with no release.
    const records: HistoryRecord[] = [
      {
        ...base,
        opId: 'a',
        f: 'preempt',
        tInvoke: 0,
        tComplete: 5,
        result: { acquired: true, fencingToken: 1 },
      },
      {
        ...base,
        client: 'c2',
        opId: 'b',
        f: 'preempt',
        tInvoke: 6,
        tComplete: 9,
        result: { acquired: true, fencingToken: 2 },
      },
    ];
    const report = formatVerifyReport(
      analyzeRun({ records, finals: [], roles: [], snapshots: [] }),
      'h.jsonl',
    );
    expect(report).toContain('first operation that cannot be linearized (lock x):');
    expect(report.split('\n').at(-1)).toMatch(/^NOT OK: \d+ anomalies; history in h\.jsonl$/);
  });
});
