import type { Socket } from 'node:net';

const corked = new WeakSet<Socket>();

/**
 * Corks `socket` at its first write in this turn of the event loop and uncorks it in the
 * check phase of the same turn (setImmediate), so the messages written in one turn leave
 * in one system call instead of one each, without waiting for anything: a batch of applied
 * entries answers many requests at once, and a leader sends to each follower in one turn.
 */
export function corkForTurn(socket: Socket): void {
  if (corked.has(socket)) return;
  corked.add(socket);
  socket.cork();
  setImmediate(() => {
    corked.delete(socket);
    socket.uncork();
  });
}
