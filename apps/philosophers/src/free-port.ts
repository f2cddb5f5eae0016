import { createServer } from 'node:net';

// Ports come from below the kernel's ephemeral range (32768-60999 on Linux): a port that
// listen(0) picks is ephemeral, and an outgoing connection could take it before the node binds it.
const FIRST_PORT = 20_000;
const RANGE_PORTS = 12_000;

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A loopback TCP port that nothing listens on now, not in `avoid`. */
export async function freePort(avoid: ReadonlySet<number>): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = FIRST_PORT + Math.floor(Math.random() * RANGE_PORTS);
    if (!avoid.has(port) && (await canBind(port))) return port;
  }
  throw new Error('no free loopback port found');
}
