import { Module } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ClientTCP } from '@nestjs/microservices';
import type { MessagePattern } from '@app/protocol';
import { ReplicaModule, parseNodeOptions } from '@app/replica';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom } from 'rxjs';
import { freePort } from '../../../test/support/free-port';
import { bootstrapNode } from '../src/bootstrap-node';
import { LockApiModule } from '../src/lock-api.module';

@Module({})
class InProcessNodeModule {}

export interface Answer {
  status: number;
  body: unknown;
  headers: Headers;
}

/** A real node (WAL in a temporary directory, real TCP and HTTP ports) inside the test process. */
export interface InProcessNode {
  id: string;
  tcpAddress: string;
  base: string;
  call(method: string, path: string, body?: unknown): Promise<Answer>;
  rpc<T>(pattern: MessagePattern, payload: object): Promise<T>;
  /** The error an RPC fails with (its RpcErrorBody); throws when the RPC succeeds. */
  rpcError(pattern: MessagePattern, payload: object): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * Starts a node as apps/leader (bootstraps a cluster) or, with `joinAddress`, as apps/follower.
 * Short election timeouts, so that a one-member cluster elects itself at once. The node's
 * info lines are kept out of the test report (LATCHKEY_LOG_LEVEL=warn while it starts).
 */
export async function startInProcessNode(id: string, joinAddress?: string): Promise<InProcessNode> {
  const dataDir = await mkdtemp(join(tmpdir(), `latchkey-${id}-`));
  const [port, httpPort] = [await freePort(), await freePort()];
  const argv = ['--id', id, '--port', `${port}`, '--http-port', `${httpPort}`, '--data-dir', dataDir];
  argv.push('--election-timeout-min-ms', '300', '--election-timeout-max-ms', '600', '--heartbeat-ms', '30');
  if (joinAddress !== undefined) argv.push('--join', joinAddress);
  const options = parseNodeOptions(joinAddress === undefined ? 'leader' : 'follower', argv, {});
  const logLevel = process.env.LATCHKEY_LOG_LEVEL;
  process.env.LATCHKEY_LOG_LEVEL = 'warn';
  let app: NestExpressApplication;
  try {
    app = await bootstrapNode(
      { module: InProcessNodeModule, imports: [ReplicaModule.forRoot(options), LockApiModule] },
      options,
    );
  } finally {
    if (logLevel === undefined) delete process.env.LATCHKEY_LOG_LEVEL;
    else process.env.LATCHKEY_LOG_LEVEL = logLevel;
  }
  const base = `http://127.0.0.1:${httpPort}`;
  const tcp = new ClientTCP({ host: '127.0.0.1', port });
  const rpc = <T>(pattern: MessagePattern, payload: object) => firstValueFrom(tcp.send<T>(pattern, payload));
  return {
    id,
    tcpAddress: `127.0.0.1:${port}`,
    base,
    call: async (method, path, body) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      const json = res.headers.get('content-type')?.includes('json') ?? false;
      return { status: res.status, body: json ? (JSON.parse(text) as unknown) : text, headers: res.headers };
    },
    rpc,
    rpcError: (pattern, payload) =>
      rpc(pattern, payload).then(
        () => {
          throw new Error(`${pattern} was expected to fail`);
        },
        (err: unknown) => err,
      ),
    close: async () => {
      tcp.close();
      await app.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
