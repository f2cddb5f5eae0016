import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { LocalCluster } from './support/local-cluster';

jest.setTimeout(600_000);

const run = promisify(execFile);
const ROOT = resolve(__dirname, '..');
const TSC = require.resolve('typescript/bin/tsc');

/** The consumer's program: takes and releases a lock through the installed package. */
const MAIN_TS = `
import { LockClient, LockClientError, defaultClientId, type LockClientOptions } from 'latchkey-client';

async function main(nodes: string[]): Promise<void> {
  const options: LockClientOptions = { nodes, clientId: defaultClientId() };
  const client = new LockClient(options);
  try {
    const grant = await client.preempt('package-lock');
    const token: number | null = grant.fencingToken;
    const check = await client.check('package-lock');
    const released = await client.release('package-lock');
    console.log(JSON.stringify({ acquired: grant.acquired, token, owner: check.owner, released: released.released }));
  } catch (err: unknown) {
    console.log(JSON.stringify({ error: err instanceof LockClientError ? err.code : String(err) }));
  } finally {
    await client.close();
  }
}

void main(process.argv.slice(2));
`;

/** Proof that the types are real: each misuse must be a compile error, or tsc fails on the directive. */
const MISUSE_TS = `
import { LockClient } from 'latchkey-client';

export async function misuse(client: LockClient): Promise<void> {
  // @ts-expect-error a lock name is a string
  await client.preempt(42);
  // @ts-expect-error waitMs is a number
  await client.preempt('x', { waitMs: 'soon' });
  const grant = await client.preempt('x');
  // @ts-expect-error the fencing token is a number (or null), not a string
  const token: string = grant.fencingToken;
  void token;
}
`;

// The SDK and CLI as the npm package `latchkey-client`: packed, installed into a fresh
// project outside the monorepo, type-checked there, and used against a real cluster.
describe('the latchkey-client package', () => {
  let cluster: LocalCluster;
  let project: string;

  beforeAll(async () => {
    cluster = await LocalCluster.start({ size: 3 });
    project = mkdtempSync(join(tmpdir(), 'latchkey-consumer-'));
  });

  afterAll(async () => {
    await cluster?.stop();
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it('packs, installs outside the repo, type-checks, and takes and releases a lock', async () => {
    const built = await run(process.execPath, [join(ROOT, 'scripts', 'build-client-package.js')], {
      cwd: ROOT,
    });
    const tarball = built.stdout.trim().split('\n').pop()!;
    expect(tarball).toMatch(/latchkey-client-[\d.]+\.tgz$/);

    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }),
    );
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], {
      cwd: project,
      timeout: 480_000,
    });
    const installed = JSON.parse(
      (await run('npm', ['ls', '--json', '--depth=0'], { cwd: project })).stdout,
    ) as { dependencies: Record<string, { version: string }> };
    expect(Object.keys(installed.dependencies)).toEqual(['latchkey-client']);

    writeFileSync(join(project, 'main.ts'), MAIN_TS);
    writeFileSync(join(project, 'misuse.ts'), MISUSE_TS);
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'commonjs',
          target: 'ES2022',
          outDir: 'out',
          skipLibCheck: true,
          types: ['node'],
          // @types/node is the one thing not installed in the fresh project: a TypeScript user has it
          typeRoots: [join(ROOT, 'node_modules', '@types')],
        },
        files: ['main.ts', 'misuse.ts'],
      }),
    );
    await run(process.execPath, [TSC, '-p', project], { cwd: project });

    const nodes = cluster.nodes.map((n) => n.tcpAddress);
    const { stdout } = await run(process.execPath, [join(project, 'out', 'main.js'), ...nodes], {
      cwd: project,
      timeout: 60_000,
    });
    const result = JSON.parse(stdout.trim()) as Record<string, unknown>;
    expect(result).toEqual({
      acquired: true,
      token: expect.any(Number),
      owner: expect.any(String),
      released: true,
    });
    const check = await request(cluster.nodes[0].url).get('/locks/package-lock?consistency=linearizable');
    expect((check.body as { owner: string | null }).owner).toBeNull();
  });

  it('installs the latchkey bin, which takes a lock and shows it in top', async () => {
    const bin = join(project, 'node_modules', '.bin', 'latchkey');
    const [host, port] = cluster.nodes[1].tcpAddress.split(':');
    const preempt = await run(bin, [host, port, 'preempt', 'bin-lock'], { cwd: project, timeout: 60_000 });
    expect(JSON.parse(preempt.stdout)).toMatchObject({ name: 'bin-lock', acquired: true });
    const top = await run(bin, [host, port, 'top', '5'], { cwd: project, timeout: 60_000 });
    expect(top.stdout).toMatch(/^LOCK\s+GRANTS\s+HOLDER/m);
    expect(top.stdout).toMatch(/^bin-lock\s+1\s+you\s+\d+/m);
    const release = await run(bin, [host, port, 'release', 'bin-lock'], { cwd: project, timeout: 60_000 });
    expect(JSON.parse(release.stdout)).toMatchObject({ name: 'bin-lock', released: true });
  });
});
