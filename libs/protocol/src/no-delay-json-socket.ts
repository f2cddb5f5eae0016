import { JsonSocket, type JsonSocketOptions } from '@nestjs/microservices';
import type { Socket } from 'node:net';

/**
 * The Nest TCP transport's JSON framing with Nagle's algorithm off, and with the messages
 * written in one turn of the event loop sent together.
 *
 * - No Nagle: every message of this protocol is a small request or answer that someone
 *   waits for; with Nagle on, a second message written before the first is acknowledged
 *   sits in the kernel for up to a delayed-ACK period (tens of milliseconds).
 * - Coalescing: a batch of applied entries answers many requests at once, and a leader
 *   sends to each follower in the same turn. The socket is corked at the first write of a
 *   turn and uncorked in the check phase of the same turn (setImmediate), so those writes
 *   leave in one system call instead of one each, without waiting for anything.
 *
 * Use it as `socketClass` in the options of a Nest TCP server or ClientTCP. Nest passes its
 * framing options (maxBufferSize, ...) only to JsonSocket itself, so they are bound here.
 */
export function noDelayJsonSocket(options: JsonSocketOptions = {}): typeof JsonSocket {
  return class NoDelayJsonSocket extends JsonSocket {
    private corked = false;

    constructor(socket: Socket) {
      // On a socket that is not connected yet, Node applies this once it connects.
      socket.setNoDelay(true);
      super(socket, options);
    }

    protected override handleSend(message: unknown, callback?: (err?: unknown) => void): void {
      if (!this.corked) {
        this.corked = true;
        this.socket.cork();
        setImmediate(() => {
          this.corked = false;
          this.socket.uncork();
        });
      }
      super.handleSend(message, callback);
    }
  };
}
