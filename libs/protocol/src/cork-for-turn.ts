import type { Socket } from 'node:net';

const corked = new Set<Socket>();

/**
 * Corks `socket` at its first write in this turn of the event loop and uncorks it in the
 * check phase of the same turn (setImmediate), so the messages written in one turn leave
 * in one system call instead of one each, without waiting for anything: a batch of applied
 * entries answers many requests at once, and a leader sends to each follower in one turn.
 * One immediate uncorks every socket corked in the turn: a leader writing to its followers
 * and to the clients it answers pays for one callback, not one per socket.
 */
export function corkForTurn(socket: Socket): void {
  if (corked.has(socket)) return;
  if (corked.size === 0) setImmediate(uncorkAll);
  corked.add(socket);
  socket.cork();
}

function uncorkAll(): void {
  // Uncorking can run a socket's write callbacks, which may cork again: those wait for
  // the next immediate.
  const sockets = [...corked];
  corked.clear();
  for (const socket of sockets) socket.uncork();
}
