#!/usr/bin/env node
// A lock holder that lives in its own process, so a test can kill -9 it.
//
//   node test/support/session-holder.js <baseUrl> <clientId> <lockName> <ttlMs>
//
// Opens a session with ttlMs, preempts lockName with it, prints one JSON line
// {"sessionId","fencingToken"} to stdout, then sends a keepalive every ttlMs/3 until it
// is killed. Every keepalive answer is reported on stderr as a JSON line
// {"keepalive":{"sentAt","status"}}: `sentAt` is taken before the request leaves, so a
// test knows a lower bound of when the leader last heard from this session.
// Plain Node (fetch), no build needed. Exits non-zero if it cannot take the lock.
'use strict';

const [baseUrl, clientId, lockName, ttlArg] = process.argv.slice(2);
const ttlMs = Number(ttlArg);
if (!baseUrl || !clientId || !lockName || !Number.isInteger(ttlMs)) {
  process.stderr.write('usage: session-holder.js <baseUrl> <clientId> <lockName> <ttlMs>\n');
  process.exit(2);
}

async function post(path, body) {
  const res = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return { status: res.status, body: parseBody(text) };
}

function parseBody(text) {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return { raw: text };
  }
}

/** Retries a 503 (no leader right now) a few times, as its Retry-After asks. */
async function postRetrying(path, body) {
  for (let attempt = 0; ; attempt++) {
    const res = await post(path, body);
    if (res.status !== 503 || attempt >= 20) return res;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function fail(what, res) {
  process.stderr.write(`session-holder: ${what} answered ${res.status}: ${JSON.stringify(res.body)}\n`);
  process.exit(1);
}

async function main() {
  const opened = await postRetrying('/sessions', { clientId, ttlMs });
  if (opened.status !== 201) fail('POST /sessions', opened);
  const { sessionId } = opened.body;

  const granted = await postRetrying(`/locks/${encodeURIComponent(lockName)}/preempt`, {
    clientId,
    sessionId,
  });
  if (granted.status !== 200) fail(`preempt ${lockName}`, granted);

  process.stdout.write(`${JSON.stringify({ sessionId, fencingToken: granted.body.fencingToken })}\n`);

  const every = Math.max(1, Math.floor(ttlMs / 3));
  let busy = false;
  setInterval(() => {
    if (busy) return;
    busy = true;
    const sentAt = Date.now();
    post(`/sessions/${sessionId}/keepalive`)
      .then((res) =>
        process.stderr.write(`${JSON.stringify({ keepalive: { sentAt, status: res.status } })}\n`),
      )
      .catch((error) =>
        process.stderr.write(`${JSON.stringify({ keepalive: { sentAt, error: String(error) } })}\n`),
      )
      .finally(() => (busy = false));
  }, every);
}

main().catch((error) => {
  process.stderr.write(`session-holder: ${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
