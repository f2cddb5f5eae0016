import { connect, type Socket } from 'node:net';
import { corkForTurn, parseHostPort } from '@app/protocol';

/**
 * Beyond this much unsent data a peer is not reading: its link is dropped, and what it
 * missed is resent by Raft once it reconnects (as after any lost message).
 */
const MAX_UNSENT_BYTES = 64 * 1024 * 1024;

/**
 * One outgoing TCP connection per peer for replication messages, written in the Nest TCP
 * transport's own framing (`<length>#<JSON of {pattern, data}>`, the length in UTF-16 code
 * units as Nest counts it), so the peer's Nest server reads each one as an event. Unlike a
 * ClientProxy, a message costs no Observable and is encoded once, by the caller, which can
 * share the encoding of the entries between followers and with its WAL.
 *
 * Delivery is best effort, like the transport's events: a message written to a connection
 * that then fails is lost, and the next message opens a new connection.
 */
export class PeerLinks {
  private readonly sockets = new Map<string, Socket>();

  /** Sends `dataJson` (the JSON of the event's data) as an event with `pattern` to `address`. */
  emit(address: string, pattern: string, dataJson: string): void {
    const socket = this.socketTo(address);
    if (socket === null) return;
    if (socket.writableLength > MAX_UNSENT_BYTES) {
      socket.destroy();
      return;
    }
    const frame = `{"pattern":${JSON.stringify(pattern)},"data":${dataJson}}`;
    corkForTurn(socket);
    socket.write(`${frame.length}#${frame}`);
  }

  close(): void {
    for (const socket of this.sockets.values()) socket.destroy();
    this.sockets.clear();
  }

  private socketTo(address: string): Socket | null {
    const open = this.sockets.get(address);
    if (open !== undefined) return open;
    const parsed = parseHostPort(address);
    if (parsed === null) return null;
    // Writes made while it connects are queued by the socket and sent once it is up.
    const socket = connect({ host: parsed.host, port: parsed.port, noDelay: true });
    // Events get no answers; anything the peer writes is read and dropped.
    socket.on('data', () => undefined);
    // A refused or broken connection is a lost message; 'close' follows and forgets it.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.sockets.get(address) === socket) this.sockets.delete(address);
    });
    this.sockets.set(address, socket);
    return socket;
  }
}
