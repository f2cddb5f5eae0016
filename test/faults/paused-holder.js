#!/usr/bin/env node
// A lock holder in its own process, so a scenario can SIGSTOP it past its session TTL.
//
//   node test/faults/paused-holder.js <nodeUrl> <clientId> <lockName> <ttlMs> <resourceUrl>
//
// Opens a session, takes the lock with it, prints {"token":N}, then keeps the session
// alive and writes {lock, token, writer} to the fenced resource every 200 ms, printing
// each answer as {"write":{"status":S}}. Plain Node (fetch), no build needed.
'use strict';

const [nodeUrl, clientId, lockName, ttlArg, resourceUrl] = process.argv.slice(2);
const ttlMs = Number(ttlArg);

async function post(url, body) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
    signal: AbortSignal.timeout(5000),
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

async function main() {
  const session = await post(`${nodeUrl}/sessions`, { clientId, ttlMs });
  if (session.status !== 201) throw new Error(`session: ${session.status}`);
  const { sessionId } = session.body;
  const grant = await post(`${nodeUrl}/locks/${lockName}/preempt`, { clientId, sessionId });
  if (grant.status !== 200) throw new Error(`preempt: ${grant.status}`);
  const token = grant.body.fencingToken;
  process.stdout.write(JSON.stringify({ token }) + '\n');
  setInterval(() => void post(`${nodeUrl}/sessions/${sessionId}/keepalive`).catch(() => {}), ttlMs / 3);
  setInterval(async () => {
    const res = await post(resourceUrl, { lock: lockName, token, writer: clientId }).catch(() => null);
    if (res) process.stdout.write(JSON.stringify({ write: { status: res.status } }) + '\n');
  }, 200);
}

main().catch((err) => {
  process.stderr.write(`paused-holder: ${err.message}\n`);
  process.exit(1);
});
