import { execFile, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { LockClient, LockClientError } from '@app/lock-client';
import { newClientId } from './support/client-ids';
import { freePort } from './support/free-port';
import { LocalCluster } from './support/local-cluster';
import { fatal, waitFor } from './support/wait-for';

jest.setTimeout(60_000);

const ROOT = resolve(__dirname, '..');
const CLI = join(ROOT, 'dist', 'apps', 'client', 'main.js');

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI once, like a shell script would; resolves with its exit code and output. */
function runCli(args: string[]): Promise<CliRun> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: ROOT, timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

/** The one JSON line a one-shot command prints. */
function jsonLine(text: string): unknown {
  const lines = text.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]);
}

// The TypeScript SDK and the CLI against a real cluster (README.md, "The TypeScript SDK", "The CLI").
describe('the SDK and the CLI', () => {
  let cluster: LocalCluster;
  let addresses: string[];
  const clients: LockClient[] = [];
  const sdk = (clientId = newClientId()) => {
    const client = new LockClient({ nodes: addresses, clientId });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    cluster = await LocalCluster.start({ size: 3 });
    addresses = cluster.nodes.map((n) => n.tcpAddress);
  });

  afterAll(async () => {
    for (const client of clients) await client.close();
    await cluster?.stop();
  });

  describe('the SDK with all three TCP addresses', () => {
    it('preempts, checks, lists and releases', async () => {
      const alice = sdk();
      const bob = sdk();
      const grant = await alice.preempt('sdk:report');
      expect(grant).toMatchObject({
        name: 'sdk:report',
        acquired: true,
        owner: alice.clientId,
        fencingToken: expect.any(Number),
      });

      // Idempotent retry: same token.
      expect(await alice.preempt('sdk:report')).toMatchObject({
        acquired: true,
        fencingToken: grant.fencingToken,
      });
      expect(await bob.preempt('sdk:report')).toMatchObject({
        name: 'sdk:report',
        acquired: false,
        owner: alice.clientId,
        fencingToken: grant.fencingToken,
      });

      expect(await bob.check('sdk:report')).toMatchObject({
        name: 'sdk:report',
        owner: alice.clientId,
        fencingToken: grant.fencingToken,
        servedBy: expect.any(String),
      });
      await alice.preempt('sdk:other');
      const listed = await bob.list('sdk:');
      expect(listed.map((l) => l.name)).toEqual(['sdk:other', 'sdk:report']);
      expect(listed[1]).toEqual({
        name: 'sdk:report',
        owner: alice.clientId,
        fencingToken: grant.fencingToken,
      });

      expect(await bob.release('sdk:report')).toMatchObject({
        name: 'sdk:report',
        released: false,
        reason: 'not_owner',
        owner: alice.clientId,
      });
      expect(await alice.release('sdk:report')).toMatchObject({ name: 'sdk:report', released: true });
      expect(await alice.release('sdk:report')).toMatchObject({ released: false, reason: 'not_held' });
      expect((await alice.check('sdk:report')).owner).toBeNull();

      const again = await bob.preempt('sdk:report');
      expect(again).toMatchObject({ acquired: true, owner: bob.clientId });
      expect(again.fencingToken).toBeGreaterThan(grant.fencingToken!);
    });

    it('refuses a bad lock name with a bad_request LockClientError', async () => {
      const client = sdk();
      await expect(client.preempt('a b')).rejects.toMatchObject({
        name: 'LockClientError',
        code: 'bad_request',
        message: expect.stringContaining('lock name'),
      });
      await expect(client.check('ä')).rejects.toBeInstanceOf(LockClientError);
    });
  });

  describe('the CLI', () => {
    let port: number;

    beforeAll(() => {
      port = cluster.nodes[1].port;
    });

    it('preempts with --client-id, prints JSON and exits 0; another client is refused with exit 1; the owner releases with exit 0', async () => {
      const alice = newClientId();
      const bob = newClientId();

      const granted = await runCli(['127.0.0.1', String(port), 'preempt', 'cli-lock', '--client-id', alice]);
      expect({ code: granted.code, stderr: granted.stderr }).toEqual({ code: 0, stderr: '' });
      const grant = jsonLine(granted.stdout) as { fencingToken: number };
      expect(grant).toMatchObject({
        name: 'cli-lock',
        acquired: true,
        owner: alice,
        fencingToken: expect.any(Number),
      });

      const refused = await runCli(['127.0.0.1', String(port), 'preempt', 'cli-lock', '--client-id', bob]);
      expect(refused.code).toBe(1);
      expect(jsonLine(refused.stdout)).toMatchObject({
        name: 'cli-lock',
        acquired: false,
        owner: alice,
        fencingToken: grant.fencingToken,
      });

      const notOwner = await runCli(['127.0.0.1', String(port), 'release', 'cli-lock', '--client-id', bob]);
      expect(notOwner.code).toBe(1);
      expect(jsonLine(notOwner.stdout)).toMatchObject({ released: false, reason: 'not_owner', owner: alice });

      const released = await runCli(['127.0.0.1', String(port), 'release', 'cli-lock', '--client-id', alice]);
      expect(released.code).toBe(0);
      expect(jsonLine(released.stdout)).toMatchObject({ name: 'cli-lock', released: true });

      const checked = await runCli(['127.0.0.1', String(port), 'check', 'cli-lock']);
      expect(checked.code).toBe(0);
      expect(jsonLine(checked.stdout)).toMatchObject({ name: 'cli-lock', owner: null });
    });

    it('exits 2 with a JSON error when no node is reachable', async () => {
      const nobody = await freePort();
      const run = await runCli([
        '127.0.0.1',
        String(nobody),
        'preempt',
        'cli-unreachable',
        '--client-id',
        newClientId(),
      ]);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(jsonLine(run.stderr)).toMatchObject({
        error: 'unavailable',
        message: expect.stringContaining(String(nobody)),
      });
    });

    it('exits 2 on an invalid lock name without asking the cluster', async () => {
      const run = await runCli([
        '127.0.0.1',
        String(port),
        'preempt',
        'no/slash',
        '--client-id',
        newClientId(),
      ]);
      expect(run.code).toBe(2);
      expect(jsonLine(run.stderr)).toMatchObject({
        error: 'usage',
        message: expect.stringContaining('invalid lock name'),
      });
    });

    /** Starts the interactive prompt (no command) with stdin, stdout and stderr as pipes. */
    function interactive(clientId: string) {
      const child = spawn(process.execPath, [CLI, '127.0.0.1', String(port), '--client-id', clientId], {
        cwd: ROOT,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const session = { child, stdout: '', stderr: '', code: undefined as number | null | undefined };
      child.stdout.on('data', (chunk: Buffer) => (session.stdout += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (session.stderr += chunk.toString('utf8')));
      child.once('close', (code) => (session.code = code));
      return session;
    }
    type Session = ReturnType<typeof interactive>;
    const sessions: Session[] = [];

    afterAll(() => {
      for (const { child } of sessions)
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });

    async function expectGrantThenCheck(session: Session, name: string): Promise<void> {
      const grant = new RegExp(`acquired ${name} \\(fencing token (\\d+)\\)`);
      await waitFor('the prompt to answer preempt and check', () => / is held by /.test(session.stdout), {
        timeoutMs: 15_000,
      });
      expect(session.stdout).toMatch(grant);
      const token = grant.exec(session.stdout)![1];
      expect(session.stdout).toMatch(
        new RegExp(`${name} is held by you \\(token ${token}, served by n\\d+ at index \\d+\\)`),
      );
      expect(session.stderr).toBe('');
    }

    it('runs an interactive session from stdin: preempt, check, quit, exit 0', async () => {
      const session = interactive(newClientId());
      sessions.push(session);
      // stdin stays open, as with a program driving the prompt: "quit" alone must end it.
      session.child.stdin.write('preempt repl-x\ncheck repl-x\nquit\n');
      await expectGrantThenCheck(session, 'repl-x');
      const code = await waitFor(
        'the prompt to exit after "quit"',
        () => (session.code === undefined ? undefined : { code: session.code }),
        { timeoutMs: 10_000 },
      );
      expect(code).toEqual({ code: 0 });
    });

    it('ends an interactive session at end of input with exit 0', async () => {
      const session = interactive(newClientId());
      sessions.push(session);
      session.child.stdin.end('preempt repl-y\ncheck repl-y\n');
      await expectGrantThenCheck(session, 'repl-y');
      const code = await waitFor(
        'the prompt to exit at end of input',
        () => (session.code === undefined ? undefined : { code: session.code }),
        { timeoutMs: 10_000 },
      );
      expect(code).toEqual({ code: 0 });
    });
  });

  describe('the SDK when the first listed node is killed', () => {
    it('answers a check through another node right away', async () => {
      const client = sdk();
      await client.preempt('sdk:before-kill');
      await cluster.waitForConvergence();
      expect(client.currentNode).toBe(addresses[0]);

      await cluster.kill(cluster.nodes[0].id, 'SIGKILL');
      const checked = await client.check('sdk:before-kill');
      expect(checked).toMatchObject({ owner: client.clientId, servedBy: expect.stringMatching(/^n[23]$/) });
      expect(client.currentNode).not.toBe(addresses[0]);
    });

    it('fails a write during the election only with the retryable "unavailable" error, never "internal"', async () => {
      // n1 is dead; with n3 stopped as well, n2 alone can neither elect a leader nor commit, so
      // the write must fail at least once before n3 resumes.
      const stopped = cluster.nodes[2];
      const client = new LockClient({ nodes: addresses, clientId: newClientId(), requestTimeoutMs: 2000 });
      clients.push(client);
      const failures: string[] = [];
      const attempt = async () => {
        try {
          return await client.preempt('sdk:during-election');
        } catch (error) {
          // Anything but a LockClientError is a bug in the SDK, not "not yet".
          if (!(error instanceof LockClientError)) throw fatal(error);
          failures.push(`${error.code}: ${error.message}`);
          return undefined;
        }
      };
      cluster.pause(stopped.id);
      let paused = true;
      try {
        expect(await attempt()).toBeUndefined();
        cluster.resume(stopped.id);
        paused = false;
        const granted = await waitFor('a preempt through the SDK to succeed after the kill', attempt, {
          timeoutMs: 60_000,
        });
        expect(granted).toMatchObject({ acquired: true, owner: client.clientId });
      } finally {
        if (paused) cluster.resume(stopped.id);
      }
      expect(failures.length).toBeGreaterThan(0);
      expect(failures.filter((f) => !f.startsWith('unavailable:'))).toEqual([]);
    }, 120_000);

    it('preempts, releases and lists through another node once the survivors have elected a leader', async () => {
      const leader = await waitFor('a new leader among the survivors', async () => {
        const agreed = await cluster.leader();
        return agreed.process !== null ? agreed : undefined;
      });
      expect(leader.id).not.toBe('n1');
      const client = sdk();
      const grant = await client.preempt('sdk:after-kill');
      expect(grant).toMatchObject({ acquired: true, owner: client.clientId });
      expect((await client.check('sdk:after-kill')).owner).toBe(client.clientId);
      expect((await client.list('sdk:after-')).map((l) => l.name)).toEqual(['sdk:after-kill']);
      expect(await client.release('sdk:after-kill')).toMatchObject({ released: true });
      expect(client.currentNode).not.toBe(addresses[0]);
    });
  });
});
