import { PassThrough } from 'node:stream';
import { FakeLockService, freePort, startFakeLockNode } from '../../test/fake-lock-node';
import type { FakeLockNode } from '../../test/fake-lock-node';
import { LockClient } from '../lock-client';
import { ExitCode } from './exit-codes';
import { REPL_HELP, runRepl } from './repl';
import { runCommand } from './run-command';
import { runTop } from './run-top';

const ME = '2b1f7f3e-0c56-5d0a-9a57-3f7d2c1e8b40';
const OTHER = '9d3c1a0e-7b2f-5e4d-8c6a-1f0e2d3c4b5a';

/** What the CLI printed: console.log lines, and what went to stdout and stderr. */
function captureOutput() {
  const logged: string[] = [];
  const stdout: string[] = [];
  const stderr: string[] = [];
  const spies = [
    jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      logged.push(args.map(String).join(' '));
    }),
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout.push(String(chunk));
      return true;
    }),
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    }),
  ];
  return { logged, stdout, stderr, restore: () => spies.forEach((spy) => spy.mockRestore()) };
}

describe('the CLI against a fake node', () => {
  let service: FakeLockService;
  let node: FakeLockNode;
  let client: LockClient;
  let output: ReturnType<typeof captureOutput>;

  beforeEach(async () => {
    service = new FakeLockService();
    node = await startFakeLockNode(service.handler);
    client = new LockClient({ nodes: [node.address], clientId: ME });
    output = captureOutput();
  });

  afterEach(async () => {
    output.restore();
    await client.close();
    await node.close();
  });

  describe('the REPL', () => {
    /** Runs the REPL over `lines` as its stdin, to the end of input. */
    async function repl(lines: string[], json = false): Promise<void> {
      const stdin = new PassThrough();
      const replaced = jest
        .spyOn(process, 'stdin', 'get')
        .mockReturnValue(stdin as unknown as typeof process.stdin);
      try {
        const done = runRepl(client, { address: node.address, json });
        stdin.end(lines.map((line) => `${line}\n`).join(''));
        await done;
      } finally {
        replaced.mockRestore();
      }
    }

    it('runs each line as a command and prints the answer as a sentence', async () => {
      await repl(['help', '', 'preempt a', 'frobnicate', 'release a', 'release a']);
      expect(output.logged[0]).toBe(REPL_HELP);
      expect(output.logged[1]).toMatch(/acquired a/);
      expect(output.logged[2]).toMatch(/\(type "help"\)$/);
      expect(output.logged[3]).toMatch(/released a/);
      expect(output.logged[4]).not.toMatch(/^released a/);
      expect(output.logged).toHaveLength(5);
      expect(service.locks.size).toBe(0);
      // The prompt names the node; EOF ends the line the prompt left open.
      expect(output.stdout.join('')).toContain(`latchkey ${node.address}> `);
      expect(output.stdout.at(-1)).toBe('\n');
    });

    it('prints raw JSON with --json', async () => {
      await repl(['preempt a'], true);
      expect(JSON.parse(output.logged[0] ?? '')).toMatchObject({ name: 'a', acquired: true, owner: ME });
    });

    it('keeps an open session for later commands and closes it when the input ends', async () => {
      await repl(['session open --ttl 2000', 'preempt s', 'check s']);
      expect(service.sessions.size).toBe(0);
      // The lock was taken with the session, and the session's close released it.
      expect(service.locks.size).toBe(0);
      expect(output.logged.at(-1)).toMatch(/^closed session \S+; its locks are released$/);
      expect(output.stdout.join('')).toMatch(/\(session \S+\)> /);
    });

    it('ends on quit, closing the session first', async () => {
      await repl(['session open', 'preempt q', 'quit', 'preempt never']);
      expect(service.sessions.size).toBe(0);
      expect(service.locks.has('never')).toBe(false);
      expect(output.logged.at(-1)).toMatch(/^closed session/);
    });

    it('forgets a session closed by hand', async () => {
      await repl(['session open', 'session close', 'preempt plain']);
      expect(service.sessions.size).toBe(0);
      expect(service.locks.get('plain')).toMatchObject({ owner: ME, sessionId: null });
      // Closed once, by the command: nothing is left to close at the end of input.
      expect(output.logged.filter((line) => /^closed session/.test(line))).toHaveLength(1);
    });

    it('prints a failed command and carries on', async () => {
      await repl(['session close', 'preempt after']);
      expect(output.logged[0]).toMatch(/^error \(/);
      expect(service.locks.has('after')).toBe(true);
    });
  });

  describe('one-shot commands', () => {
    it('prints the answer as JSON and exits 0, or 1 when the service says no', async () => {
      await expect(runCommand(client, ['preempt', 'a'])).resolves.toBe(ExitCode.ok);
      expect(JSON.parse(output.stdout.join(''))).toMatchObject({ name: 'a', acquired: true });
      service.locks.set('b', { owner: OTHER, sessionId: null, fencingToken: 1 });
      await expect(runCommand(client, ['preempt', 'b'])).resolves.toBe(ExitCode.refused);
      await expect(runCommand(client, ['release', 'b'])).resolves.toBe(ExitCode.refused);
      await expect(runCommand(client, ['release', 'a'])).resolves.toBe(ExitCode.ok);
      expect(output.stderr).toEqual([]);
    });

    it('exits 2 with a JSON error on stderr for bad usage and for an error answer', async () => {
      await expect(runCommand(client, ['frobnicate'])).resolves.toBe(ExitCode.error);
      expect(JSON.parse(output.stderr[0] ?? '')).toMatchObject({ error: 'usage' });
      // The fake serves no status: the node answers bad_request.
      await expect(runCommand(client, ['status'])).resolves.toBe(ExitCode.error);
      expect(JSON.parse(output.stderr[1] ?? '')).toMatchObject({ error: 'bad_request' });
      expect(output.stdout).toEqual([]);
    });

    it('ends a watch with exit 2 when the stream fails', async () => {
      service.changes.error(new Error('boom'));
      await expect(runCommand(client, ['watch', 'w'])).resolves.toBe(ExitCode.error);
      expect(JSON.parse(output.stderr[0] ?? '')).toMatchObject({ error: expect.any(String) });
    });
  });

  describe('top', () => {
    it('reports a node that does not answer as an error in a pipe', async () => {
      const down = new LockClient({ nodes: [`127.0.0.1:${await freePort()}`], clientId: ME });
      await expect(runTop(down, {}, false).finally(() => down.close())).resolves.toBe(ExitCode.error);
      expect(JSON.parse(output.stderr[0] ?? '')).toMatchObject({ error: 'unavailable' });
    });
  });
});
