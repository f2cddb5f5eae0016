'use strict';
// Preload (`node -r ./scripts/count-loop-turns.js ...`) that counts the callbacks the event
// loop starts: socket reads, write completions, file-system completions, immediates, timers.
// Each one is a turn of the loop doing work for this process. Promise reactions are not
// counted: they run inside the turn whose callback resolved them.
//
// Every 100 ms the counts so far are written as JSON to `$LATCHKEY_TURN_COUNTS.<pid>.json`,
// with the time they were taken (a signal would not do: Nest's shutdown hooks take them all).
// `scripts/count-write-turns.js` uses it to count the turns one write costs on each node.
// A measuring tool only: async hooks slow every promise down, so never measure speed with it.
const { createHook } = require('node:async_hooks');
const { writeFileSync } = require('node:fs');

const prefix = process.env.LATCHKEY_TURN_COUNTS;
if (!prefix) throw new Error('count-loop-turns: set LATCHKEY_TURN_COUNTS to the output file prefix');

const typeOf = new Map();
const counts = {};
let depth = 0;

createHook({
  init(asyncId, type) {
    // Next-tick callbacks and microtasks also run at depth 0, but within the turn before them.
    if (type !== 'PROMISE' && type !== 'TickObject' && type !== 'Microtask') typeOf.set(asyncId, type);
  },
  before(asyncId) {
    if (depth === 0) {
      const type = typeOf.get(asyncId);
      if (type !== undefined) counts[type] = (counts[type] ?? 0) + 1;
    }
    depth += 1;
  },
  after() {
    depth -= 1;
  },
  destroy(asyncId) {
    typeOf.delete(asyncId);
  },
}).enable();

setInterval(() => {
  writeFileSync(`${prefix}.${process.pid}.json`, JSON.stringify({ atMs: Date.now(), counts }));
}, 100).unref();
