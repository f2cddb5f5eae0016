import { CommanderError } from 'commander';
import { parseBenchOptions } from './bench-options';
import { formatResults } from './bench-result';
import type { BenchResult } from './bench-result';
import { LatencyRecorder } from './latency-recorder';

describe('parseBenchOptions', () => {
  it('has defaults, and caps connections at the number of clients', () => {
    expect(parseBenchOptions([])).toEqual({
      workloads: ['w1'],
      clients: 64,
      connections: 8,
      keys: 8,
      seconds: 10,
      warmupSeconds: 2,
      servers: [],
      json: false,
      durationMinutes: null,
    });
    expect(parseBenchOptions(['--clients', '4', '--workload', 'all', '--json'])).toMatchObject({
      workloads: ['w1', 'w2', 'w3', 'w3lin'],
      clients: 4,
      connections: 4,
      json: true,
    });
    expect(parseBenchOptions(['--workload', 'w2,w3', '--servers', 'a:1,b:2,'])).toMatchObject({
      workloads: ['w2', 'w3'],
      servers: ['a:1', 'b:2'],
    });
  });

  it('runs W1 alone for --duration-minutes', () => {
    expect(parseBenchOptions(['--workload', 'w2', '--duration-minutes', '3'])).toMatchObject({
      workloads: ['w1'],
      durationMinutes: 3,
    });
  });

  it.each([
    ['--workload', 'w9'],
    ['--clients', '0'],
    ['--clients', 'many'],
    ['--servers', 'nohost'],
    ['--warmup', '-1'],
  ])('refuses %s %j', (flag, value) => {
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(() => parseBenchOptions([flag, value])).toThrow(CommanderError);
    } finally {
      stderr.mockRestore();
    }
  });
});

describe('LatencyRecorder', () => {
  it('summarises p50, p99 and max, and forgets on reset', () => {
    const recorder = new LatencyRecorder();
    expect(recorder.summary()).toBeNull();
    for (let ms = 100; ms >= 1; ms--) recorder.record(ms + 0.123);
    expect(recorder.count).toBe(100);
    expect(recorder.summary()).toEqual({ p50: 51.12, p99: 100.12, max: 100.12 });
    recorder.reset();
    expect(recorder.count).toBe(0);
    expect(recorder.summary()).toBeNull();
  });
});

describe('formatResults', () => {
  const result: BenchResult = {
    workload: 'w1',
    clients: 2,
    connections: 1,
    seconds: 10,
    ops: 12345,
    opsPerSec: 1234.5,
    successes: 12345,
    latencyMs: { preempt: { p50: 1, p99: 2.5, max: 9 }, release: null, check: null },
    errors: 1,
    firstErrors: ['unavailable: no leader'],
    cpu: { bench: 50, servers: [80, 20] },
    opsPerSecByMinute: [1200, 1300],
  };

  it('prints an aligned table, then the per-minute figures and the first errors', () => {
    const lines = formatResults([
      result,
      { ...result, workload: 'w3', cpu: { bench: 5, servers: null } },
    ]).split('\n');
    expect(lines[0]).toMatch(/^workload\s+ops\/s\s+preempt ms p50\/p99\/max\s+release ms\s+check ms/);
    expect(lines[2]).toMatch(
      /^W1 uncontended preempt\+release \(cycles\/s\)\s+1,234\.5\s+1 \/ 2\.5 \/ 9\s+-\s+-\s+1\s+50% \/ 80% 20%$/,
    );
    expect(lines[3]).toMatch(/5% \/ -$/);
    expect(lines).toContain('w1 ops/s by minute: 1200, 1300');
    expect(lines).toContain('w1 error: unavailable: no leader');
    // Every row is as wide as the header's columns: the second column starts at one offset.
    const offset = (line: string) => line.search(/\s{2}\S/);
    expect(offset(lines[2] ?? '')).toBe(offset(lines[3] ?? ''));
  });
});
