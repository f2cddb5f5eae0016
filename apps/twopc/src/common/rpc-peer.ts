import { ClientTCP } from '@nestjs/microservices';
import type { Socket } from 'node:net';
import { firstValueFrom, timeout } from 'rxjs';
import { parseHostPort } from '@app/protocol';

export type RpcResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/** A ClientTCP that neither logs socket errors nor lingers on close: failures are values. */
class SilentTcpClient extends ClientTCP {
  override handleError(): void {
    // The pending request fails; RpcPeer turns that into a value.
  }

  override close(): void {
    const netSocket: Socket | undefined = this.socket?.netSocket;
    super.close();
    netSocket?.destroy();
  }
}

/** One TCP connection to a peer process, reconnecting after a failure. */
export class RpcPeer {
  private client: SilentTcpClient | null = null;

  constructor(
    readonly id: string,
    readonly address: string,
  ) {}

  async request<T>(pattern: string, payload: object, timeoutMs: number): Promise<RpcResult<T>> {
    const client = this.connection();
    try {
      const value = await firstValueFrom(client.send<T>(pattern, payload).pipe(timeout(timeoutMs)));
      return { ok: true, value };
    } catch (err: unknown) {
      // A broken socket stays broken: the next request opens a new one.
      if (this.client === client) this.drop();
      return { ok: false, reason: describe(err, timeoutMs) };
    }
  }

  close(): void {
    this.drop();
  }

  private connection(): SilentTcpClient {
    if (this.client === null) {
      const hostPort = parseHostPort(this.address);
      if (hostPort === null) throw new Error(`bad address ${this.address}`);
      this.client = new SilentTcpClient(hostPort);
    }
    return this.client;
  }

  private drop(): void {
    this.client?.close();
    this.client = null;
  }
}

function describe(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && err.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  if (err instanceof Error) return err.message;
  if (typeof err === 'object' && err !== null && 'message' in err) return String(err.message);
  return String(err);
}
