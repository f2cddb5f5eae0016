import { parseHostPort } from '@app/protocol';
import { QuietTcpClient } from './quiet-tcp-client';

/**
 * One lazily created TCP proxy per node address. The proxy connects on its first `send`.
 * A proxy whose connection failed is discarded rather than reused: a ClientTCP can stay
 * in a broken state after a failed connect, and a fresh one costs nothing.
 */
export class NodeConnections {
  private readonly proxies = new Map<string, QuietTcpClient>();

  get(address: string): QuietTcpClient {
    const existing = this.proxies.get(address);
    if (existing) return existing;
    const hostPort = parseHostPort(address);
    if (!hostPort) throw new Error(`invalid node address "${address}"`);
    const proxy = new QuietTcpClient({ host: hostPort.host, port: hostPort.port });
    this.proxies.set(address, proxy);
    return proxy;
  }

  discard(address: string): void {
    const proxy = this.proxies.get(address);
    this.proxies.delete(address);
    proxy?.close();
  }

  closeAll(): void {
    for (const address of [...this.proxies.keys()]) this.discard(address);
  }
}
