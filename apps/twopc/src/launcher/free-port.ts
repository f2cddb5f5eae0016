import { createServer } from 'node:net';

// Below the kernel's ephemeral range (32768-60999), so that no outgoing connection takes
// a port between the moment it is picked and the moment its process binds it.
const FIRST_PORT = 20_000;
const PORT_RANGE = 10_000;
const handedOut = new Set<number>();

function canBind(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

export async function freePort(host: string): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = FIRST_PORT + Math.floor(Math.random() * PORT_RANGE);
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if (await canBind(port, host)) return port;
  }
  throw new Error('no free TCP port found');
}
