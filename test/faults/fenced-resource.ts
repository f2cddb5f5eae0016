import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FencedWrite {
  lock: string;
  token: number;
  writer: string;
  accepted: boolean;
}

/**
 * The protected resource of the fencing pattern: it remembers the highest token it has
 * accepted per lock and refuses (409) any write with a lower one (Chubby's sequencers,
 * etcd's revision check).
 */
export class FencedResource {
  readonly writes: FencedWrite[] = [];
  private readonly highest = new Map<string, number>();
  private server: Server | null = null;

  async start(): Promise<string> {
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const { lock, token, writer } = JSON.parse(body) as { lock: string; token: number; writer: string };
        res.statusCode = this.write(lock, token, writer) ? 200 : 409;
        res.end();
      });
    });
    this.server = server;
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/write`;
  }

  write(lock: string, token: number, writer: string): boolean {
    const accepted = token >= (this.highest.get(lock) ?? 0);
    if (accepted) this.highest.set(lock, token);
    this.writes.push({ lock, token, writer, accepted });
    return accepted;
  }

  /** Accepted writes per lock never go back in token, and each token has one writer. */
  violations(): string[] {
    const out: string[] = [];
    const writerOf = new Map<string, string>();
    const last = new Map<string, number>();
    for (const w of this.writes.filter((x) => x.accepted)) {
      const key = `${w.lock}@${w.token}`;
      if ((writerOf.get(key) ?? w.writer) !== w.writer) out.push(`${key} written by two clients`);
      writerOf.set(key, w.writer);
      if (w.token < (last.get(w.lock) ?? 0))
        out.push(`${w.lock}: accepted token ${w.token} after ${last.get(w.lock)}`);
      last.set(w.lock, w.token);
    }
    return out;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server) await new Promise((done) => server.close(done));
  }
}
