#!/usr/bin/env node
// A simple load: C clients spread over the nodes' HTTP gateways, each repeating
// preempt+release of its own lock for D seconds. Prints cycles per second and preempt
// latency percentiles. Usage: node scripts/load-test.js [clients=64] [seconds=10] [urls...]
// (default urls: the three nodes of `npm start`). Not a test: it asserts nothing.
const { randomUUID } = require('node:crypto');
const http = require('node:http');

const clients = Number(process.argv[2] ?? 64);
const seconds = Number(process.argv[3] ?? 10);
const urls =
  process.argv.slice(4).length > 0
    ? process.argv.slice(4)
    : ['http://127.0.0.1:3001', 'http://127.0.0.1:3002', 'http://127.0.0.1:3003'];
const agent = new http.Agent({ keepAlive: true, maxSockets: clients });

function post(base, path, body) {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = http.request(
      `${base}${path}`,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

function percentile(sorted, p) {
  return sorted.length === 0
    ? NaN
    : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function runClient(index, deadline, latenciesMs, counts) {
  const base = urls[index % urls.length];
  const clientId = randomUUID();
  const name = `load-${index}`;
  while (Date.now() < deadline) {
    const started = process.hrtime.bigint();
    const preempted = await post(base, `/locks/${name}/preempt`, { clientId });
    latenciesMs.push(Number(process.hrtime.bigint() - started) / 1e6);
    const released = await post(base, `/locks/${name}/release`, { clientId });
    if (preempted === 200 && released === 200) counts.cycles++;
    else counts.errors++;
  }
}

async function main() {
  const latenciesMs = [];
  const counts = { cycles: 0, errors: 0 };
  const started = Date.now();
  const deadline = started + seconds * 1000;
  await Promise.all(Array.from({ length: clients }, (_, i) => runClient(i, deadline, latenciesMs, counts)));
  const elapsedS = (Date.now() - started) / 1000;
  latenciesMs.sort((a, b) => a - b);
  const result = {
    clients,
    seconds: Number(elapsedS.toFixed(1)),
    nodes: urls,
    cycles: counts.cycles,
    errors: counts.errors,
    cyclesPerSecond: Number((counts.cycles / elapsedS).toFixed(0)),
    preemptLatencyMs: {
      p50: Number(percentile(latenciesMs, 50).toFixed(2)),
      p99: Number(percentile(latenciesMs, 99).toFixed(2)),
      max: Number(latenciesMs[latenciesMs.length - 1].toFixed(2)),
    },
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  agent.destroy();
}

main();
