import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LocalCluster } from './support/local-cluster';

jest.setTimeout(120_000);

const ROOT = resolve(__dirname, '..');
const PROGRAM = join(ROOT, 'dist', 'apps', 'philosophers', 'main.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The subset of the --json report these tests read. */
interface Report {
  meals: number[];
  totalMeals: number;
  overlaps: number;
  tokenRegressions: number;
  deadlock: boolean;
  violations: string[];
  faults: {
    type: string;
    philosopher: number;
    wasEating: boolean;
    forksHeld: number[];
    forksStuckMs: { fork: number; stuckMs: number | null; expiredAfterMs: number | null }[];
    mealsAfterFreed: number[];
  }[];
  processes: { philosophers: number[]; nodes: number[] };
}

/** Short meals, so that a run of a few seconds has many of them. */
const SHORT_MEALS = ['--eat-ms', '100', '--think-ms', '25'];

const running = new Set<ChildProcess>();

/** Runs the philosophers program to its end, like a user would from a shell. */
function runPhilosophers(args: string[]): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [PROGRAM, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('exit', (code) => {
      running.delete(child);
      done({ code, stdout, stderr });
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// The dining philosophers (issue 10): each philosopher its own process, forks are locks in a real cluster.
describe('the dining philosophers', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'latchkey-philosophers-e2e-'));
  });

  afterAll(() => {
    for (const child of running) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('five philosophers against a running cluster: everyone eats, no neighbours at once, exit 0', async () => {
    const cluster = await LocalCluster.start({ size: 3 });
    try {
      const json = join(dir, 'five.json');
      const servers = cluster.nodes.map((n) => n.tcpAddress).join(',');
      const run = await runPhilosophers([
        '--philosophers',
        '5',
        '--seconds',
        '4',
        ...SHORT_MEALS,
        '--servers',
        servers,
        '--json',
        json,
      ]);
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
      const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
      expect(report.meals).toHaveLength(5);
      for (const meals of report.meals) expect(meals).toBeGreaterThan(0);
      expect(report).toMatchObject({ overlaps: 0, tokenRegressions: 0, deadlock: false, violations: [] });
      expect(run.stdout).toContain('result: OK, no violations');
      expect(report.processes.philosophers).toHaveLength(5);
      expect(report.processes.philosophers.filter(isAlive)).toEqual([]);
    } finally {
      await cluster.stop();
    }
  });

  it('a philosopher killed holding its forks: they come free when its session expires, the others eat on', async () => {
    const json = join(dir, 'killed.json');
    // No --servers: the program starts its own cluster and must leave no process behind.
    const run = await runPhilosophers([
      '--philosophers',
      '5',
      '--seconds',
      '7',
      ...SHORT_MEALS,
      '--kill-philosopher-after',
      '2',
      '--session-ttl-ms',
      '1500',
      '--json',
      json,
    ]);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
    expect(report).toMatchObject({ overlaps: 0, tokenRegressions: 0, violations: [] });
    expect(report.faults).toHaveLength(1);
    const [fault] = report.faults;
    expect(fault.type).toBe('kill-philosopher');
    // It died holding forks (the table picks one that is eating).
    expect(fault.forksHeld.length).toBeGreaterThan(0);
    for (const fork of fault.forksStuckMs) {
      // A watch of the fork saw the cluster free it because the dead philosopher's session
      // expired, and a neighbour was granted it.
      expect(fork.expiredAfterMs).not.toBeNull();
      expect(fork.stuckMs).not.toBeNull();
    }
    fault.mealsAfterFreed.forEach((meals, p) => {
      if (p !== fault.philosopher) expect(meals).toBeGreaterThan(0);
    });
    expect(report.processes.nodes).toHaveLength(3);
    expect([...report.processes.philosophers, ...report.processes.nodes].filter(isAlive)).toEqual([]);
  });
});
