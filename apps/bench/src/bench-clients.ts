import { LockClient } from '@app/lock-client';
import type { LockSession } from '@app/lock-client';
import { randomUUID } from 'node:crypto';

/** Session TTL of the benchmark's clients: long enough that a stalled run does not lose them. */
const SESSION_TTL_MS = 30_000;

export interface BenchClient {
  index: number;
  client: LockClient;
  session: LockSession;
}

/**
 * `connections` TCP connections, the first pointed at `targets[c % targets.length]` with the
 * other members as fallbacks, and `clients` logical clients (each its own owner and session)
 * spread over them round robin, as a careful user with many owners would run them.
 */
export class BenchClients {
  private constructor(
    private readonly connections: LockClient[],
    readonly clients: BenchClient[],
  ) {}

  static async open(
    members: readonly string[],
    targets: readonly string[],
    connectionCount: number,
    clientCount: number,
  ): Promise<BenchClients> {
    const connections = Array.from({ length: connectionCount }, (_, c) => {
      const first = targets[c % targets.length] ?? members[0]!;
      const nodes = [first, ...members.filter((m) => m !== first)];
      return new LockClient({ nodes, clientId: randomUUID() });
    });
    const clients = await Promise.all(
      Array.from({ length: clientCount }, async (_, index) => {
        const client = connections[index % connectionCount]!.withClientId(randomUUID());
        const session = await client.openSession({ ttlMs: SESSION_TTL_MS });
        return { index, client, session };
      }),
    );
    return new BenchClients(connections, clients);
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.clients.map(({ session }) => session.close()));
    await Promise.all(this.clients.map(({ client }) => client.close()));
    await Promise.all(this.connections.map((c) => c.close()));
  }
}
