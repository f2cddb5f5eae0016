import { connect, type Socket } from 'node:net';

export interface RawAnswer {
  /** the status code of the first response line, or null if the server closed without one */
  status: number | null;
  text: string;
  /** the server closed the connection */
  closed: boolean;
}

/**
 * Sends exact bytes to an HTTP port and collects the answer until the server closes the
 * connection or `waitMs` passes (for requests no client library would send).
 */
export function rawHttp(
  host: string,
  port: number,
  bytes: string | Buffer,
  waitMs = 5000,
): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    let text = '';
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ status: match ? Number(match[1]) : null, text, closed });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('close', () => finish(true));
    socket.on('error', () => undefined);
    socket.write(bytes);
  });
}

/** Opens a connection and resolves when the server closes it (or null after `waitMs`). */
export function closedWithin(socket: Socket, waitMs: number): Promise<number | null> {
  const started = Date.now();
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), waitMs);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - started);
    });
  });
}
