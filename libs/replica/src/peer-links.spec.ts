import { ServerTCP } from '@nestjs/microservices';
import { noDelayJsonSocket } from '@app/protocol';
import { freePort } from '../../../test/support/free-port';
import { waitFor } from '../../../test/support/wait-for';
import { PeerLinks } from './peer-links';

/** A peer's side: Nest's own TCP server, as a node runs it, with one event handler. */
async function nestServer(port: number, received: unknown[]): Promise<ServerTCP> {
  const server = new ServerTCP({ host: '127.0.0.1', port, socketClass: noDelayJsonSocket() });
  server.addHandler('peer.message', (data: unknown) => Promise.resolve(received.push(data)), true);
  await new Promise<void>((done, fail) =>
    server.listen((error?: unknown) => (error instanceof Error ? fail(error) : done())),
  );
  return server;
}

describe('PeerLinks', () => {
  const links = new PeerLinks();
  const servers: ServerTCP[] = [];
  afterAll(() => {
    links.close();
    for (const server of servers) server.close();
  });

  it("writes events the peer's Nest TCP server reads, in order, whatever their characters", async () => {
    const port = await freePort();
    const received: unknown[] = [];
    servers.push(await nestServer(port, received));
    const messages = [
      { n: 1, text: 'plain' },
      { n: 2, text: 'ünïcode 🔒 "quoted" \\' },
      { n: 3, text: '#12#' },
    ];
    for (const message of messages) links.emit(`127.0.0.1:${port}`, 'peer.message', JSON.stringify(message));
    await waitFor('three events', () => received.length === 3, { timeoutMs: 5000 });
    expect(received).toEqual(messages);
  });

  it('reconnects to a peer that restarted, on the next message', async () => {
    const port = await freePort();
    const address = `127.0.0.1:${port}`;
    const before: unknown[] = [];
    const first = await nestServer(port, before);
    links.emit(address, 'peer.message', '{"n":1}');
    await waitFor('the first message', () => before.length === 1, { timeoutMs: 5000 });
    // Closing the server also closes the connections it accepted: the link breaks.
    first.close();
    const after: unknown[] = [];
    servers.push(await nestServer(port, after));
    await waitFor(
      'a message after the restart',
      () => {
        links.emit(address, 'peer.message', '{"n":2}');
        return after.length > 0;
      },
      { timeoutMs: 5000, intervalMs: 50 },
    );
    expect(after[0]).toEqual({ n: 2 });
  });
});
