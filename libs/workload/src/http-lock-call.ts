import type { HistoryRecord, HistoryResult } from '@app/history-checker';
import { performance } from 'node:perf_hooks';

export interface LockCall {
  opId: string;
  client: string;
  key: string;
  f: 'preempt' | 'release' | 'check';
  linearizable?: boolean;
  /** HTTP host:port of the node to send it to */
  node: string;
}

/** Socket errors that mean the request never reached a node, so it surely had no effect. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

function requestFor(call: LockCall): { url: string; init: RequestInit } {
  const base = `http://${call.node}/locks/${encodeURIComponent(call.key)}`;
  if (call.f === 'check') {
    return { url: call.linearizable ? `${base}?consistency=linearizable` : base, init: { method: 'GET' } };
  }
  return {
    url: `${base}/${call.f}`,
    init: {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: call.client }),
    },
  };
}

/**
 * How an HTTP answer counts in the history. 200 and the 409 refusals are answers; other
 * 4xx were refused before anything was proposed; a 5xx may come after the change was
 * proposed (no quorum in time), so its outcome is unknown.
 */
function classify(status: number, body: HistoryResult): Pick<HistoryRecord, 'type' | 'result'> {
  if (status === 200 || status === 409) return { type: 'ok', result: { ...body, status } };
  if (status >= 400 && status < 500) return { type: 'fail', result: { status, error: body.error } };
  return { type: 'info', result: { status } };
}

function causeCode(err: unknown): string | undefined {
  const cause = (err as { cause?: { code?: unknown } }).cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

/** Sends one operation and records it with the invoke and completion times of this process's monotonic clock. */
export async function performLockCall(call: LockCall, timeoutMs: number): Promise<HistoryRecord> {
  const { url, init } = requestFor(call);
  const tInvoke = performance.now();
  const record = { ...call, tInvoke };
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    const body = (text.startsWith('{') ? JSON.parse(text) : {}) as HistoryResult & { message?: string };
    return { ...record, tComplete: performance.now(), ...classify(res.status, body) };
  } catch (err: unknown) {
    const code = causeCode(err);
    // By name, not instanceof Error: fetch's TimeoutError is a DOMException of another realm under jest.
    const name = (err as { name?: unknown } | null)?.name;
    const error = code ?? (typeof name === 'string' ? name : 'error');
    const type = code !== undefined && NEVER_SENT.has(code) ? 'fail' : 'info';
    return { ...record, tComplete: performance.now(), type, result: { error } };
  }
}
