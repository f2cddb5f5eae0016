import { JsonSocket, type JsonSocketOptions } from '@nestjs/microservices';
import type { Socket } from 'node:net';
import { corkForTurn } from './cork-for-turn';

/**
 * The Nest TCP transport's JSON framing with Nagle's algorithm off, and with the messages
 * written in one turn of the event loop sent together (corkForTurn).
 *
 * No Nagle: every message of this protocol is a small request or answer that someone waits
 * for; with Nagle on, a second message written before the first is acknowledged sits in the
 * kernel for up to a delayed-ACK period (tens of milliseconds).
 *
 * Use it as `socketClass` in the options of a Nest TCP server or ClientTCP. Nest passes its
 * framing options (maxBufferSize, ...) only to JsonSocket itself, so they are bound here.
 */
export function noDelayJsonSocket(options: JsonSocketOptions = {}): typeof JsonSocket {
  return class NoDelayJsonSocket extends JsonSocket {
    constructor(socket: Socket) {
      // On a socket that is not connected yet, Node applies this once it connects.
      socket.setNoDelay(true);
      super(socket, options);
    }

    protected override handleSend(message: unknown, callback?: (err?: unknown) => void): void {
      corkForTurn(this.socket);
      super.handleSend(message, callback);
    }
  };
}
