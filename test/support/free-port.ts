import { createServer } from 'node:net';

// Ports come from below the kernel's ephemeral range (32768-60999 on Linux): a port
// picked with listen(0) is itself ephemeral, and an outgoing connection may take it
// before a node that starts later binds it. Each jest worker draws from its own slice.
const FIRST_PORT = 10_000;
const SLICE_PORTS = 5_000;
const taken = new Set<number>();

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A TCP port on 127.0.0.1 that nothing listens on now and that no outgoing connection will take. */
export async function freePort(): Promise<number> {
  const worker = Number(process.env.JEST_WORKER_ID ?? '1') - 1;
  const base = FIRST_PORT + (worker % 4) * SLICE_PORTS;
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = base + Math.floor(Math.random() * SLICE_PORTS);
    if (taken.has(port)) continue;
    taken.add(port);
    if (await canBind(port)) return port;
  }
  throw new Error('no free port found below the ephemeral range');
}
