// Plays a philosopher process for the table's spec (dinner-table.spec.ts), over the same IPC
// messages as src/philosopher.ts but without a cluster: philosopher 0 eats in a loop with
// made-up fork grants, the others only sit. With a node named `script:exit-when-seated` in
// its list, philosopher 1 says why and exits before the dinner begins.
'use strict';

let config = null;
let stopping = false;
let nextSeq = 1;
let token = 0;
const replies = new Map();
const send = (message) => process.connected && process.send(message);
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function ask(message) {
  const seq = nextSeq++;
  return new Promise((resolve) => {
    replies.set(seq, resolve);
    send({ ...message, seq });
  });
}

async function dine() {
  if (config.index !== 0) {
    send({ type: 'trouble', message: 'only watching' });
    while (!stopping) await pause(20);
    return process.exit(0);
  }
  const forks = [0, 1];
  while (!stopping) {
    const taken = forks.map((fork) => ({ fork, fencingToken: ++token, waitMs: 0 }));
    for (const fork of taken) send({ type: 'took', ...fork });
    send({ type: 'start', forks: taken, node: config.nodes[0] });
    await pause(config.eatMs);
    await ask({ type: 'end' });
    for (const { fork } of taken) send({ type: 'released', fork, holdMs: config.eatMs });
    await pause(config.thinkMs);
  }
  process.exit(0);
}

process.on('message', (message) => {
  if (message.type === 'seat') {
    config = message.config;
    if (config.nodes.includes('script:exit-when-seated') && config.index === 1) {
      send({ type: 'trouble', message: 'cannot sit down' });
      setTimeout(() => process.exit(3), 50);
      return;
    }
    send({ type: 'ready', clientId: `client-${config.index}`, node: config.nodes[0] });
  } else if (message.type === 'go') {
    void dine();
  } else if (message.type === 'reply') {
    replies.get(message.seq)?.();
  } else if (message.type === 'stop') {
    stopping = true;
  }
});
