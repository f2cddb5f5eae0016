import { ClientProxyFactory, Transport, type ClientProxy } from '@nestjs/microservices';
import { noDelayJsonSocket, parseHostPort } from '@app/protocol';

const NoDelaySocket = noDelayJsonSocket();

/**
 * One Nest TCP client per remote address, created on first use. A client that lost its
 * connection reconnects on its next request, so entries are never replaced.
 */
export class TcpClientPool {
  private readonly clients = new Map<string, ClientProxy>();

  get(address: string): ClientProxy {
    let client = this.clients.get(address);
    if (!client) {
      const parsed = parseHostPort(address);
      if (!parsed) throw new Error(`malformed TCP address ${address}`);
      client = ClientProxyFactory.create({
        transport: Transport.TCP,
        options: { ...parsed, socketClass: NoDelaySocket },
      });
      this.clients.set(address, client);
    }
    return client;
  }

  async close(): Promise<void> {
    // ClientProxy.close() is typed `any`: a promise or nothing.
    await Promise.all([...this.clients.values()].map((client) => Promise.resolve(client.close() as unknown)));
    this.clients.clear();
  }
}
