import type { INestApplication } from '@nestjs/common';
import type { Server as HttpServer } from 'node:http';
import type { Server as TcpServer, Socket } from 'node:net';

/**
 * Limits at the edge against slow and hostile clients (slowloris, CVE-2018-12122; endless
 * frames; connection floods). Each comes from the environment so tests can use seconds.
 */
export interface EdgeLimits {
  /** a request's headers must arrive within this */
  httpHeadersTimeoutMs: number;
  /** the whole request (headers and body) must arrive within this */
  httpRequestTimeoutMs: number;
  /** an idle keep-alive connection is closed after this */
  httpKeepAliveTimeoutMs: number;
  httpMaxHeadersCount: number;
  httpMaxConnections: number;
  /** one TCP frame (`len#json`) may not exceed this */
  tcpMaxFrameBytes: number;
  /** a frame begun but not finished within this closes the connection */
  tcpIncompleteFrameTimeoutMs: number;
  tcpMaxConnections: number;
  /** a TCP connection with no traffic either way for this long is closed; 0 = never */
  tcpIdleTimeoutMs: number;
}

const DEFAULTS: Record<keyof EdgeLimits, [string, number]> = {
  httpHeadersTimeoutMs: ['LATCHKEY_HTTP_HEADERS_TIMEOUT_MS', 10_000],
  httpRequestTimeoutMs: ['LATCHKEY_HTTP_REQUEST_TIMEOUT_MS', 30_000],
  httpKeepAliveTimeoutMs: ['LATCHKEY_HTTP_KEEP_ALIVE_TIMEOUT_MS', 5_000],
  httpMaxHeadersCount: ['LATCHKEY_HTTP_MAX_HEADERS', 100],
  httpMaxConnections: ['LATCHKEY_HTTP_MAX_CONNECTIONS', 1_000],
  tcpMaxFrameBytes: ['LATCHKEY_TCP_MAX_FRAME_BYTES', 1024 * 1024],
  tcpIncompleteFrameTimeoutMs: ['LATCHKEY_TCP_INCOMPLETE_FRAME_TIMEOUT_MS', 10_000],
  tcpMaxConnections: ['LATCHKEY_TCP_MAX_CONNECTIONS', 1_000],
  tcpIdleTimeoutMs: ['LATCHKEY_TCP_IDLE_TIMEOUT_MS', 0],
};

/** The limits from the environment; a missing, empty or invalid value takes the default. */
export function edgeLimitsFromEnv(env: NodeJS.ProcessEnv): EdgeLimits {
  const limits = {} as EdgeLimits;
  for (const [key, [name, fallback]] of Object.entries(DEFAULTS) as [keyof EdgeLimits, [string, number]][]) {
    const value = Number(env[name]);
    limits[key] =
      env[name] !== undefined && env[name] !== '' && Number.isInteger(value) && value >= 0 ? value : fallback;
  }
  return limits;
}

/**
 * A JSON reviver that refuses prototype-polluting keys anywhere in a body; body-parser
 * turns the throw into a 400, before any validation or handler sees the object.
 */
export function refusePrototypeKeys(key: string, value: unknown): unknown {
  if (key === '__proto__' || key === 'constructor' || key === 'prototype') {
    throw new SyntaxError(`the key "${key}" is not allowed`);
  }
  return value;
}

/** Options of Nest's TCP transport that bound one connection's buffers and frames. */
export function tcpTransportLimits(limits: EdgeLimits) {
  return {
    maxBufferSize: limits.tcpMaxFrameBytes,
    incompleteMessageTimeout: limits.tcpIncompleteFrameTimeoutMs,
    maxSendBufferSize: 4 * limits.tcpMaxFrameBytes,
  };
}

/**
 * Applies the connection limits to the HTTP server (before it listens: Node reads its
 * timeout-checking interval at listen) and to the listening TCP servers.
 */
export function applyEdgeLimits(app: INestApplication, limits: EdgeLimits): void {
  const http = app.getHttpServer() as HttpServer & { connectionsCheckingInterval: number };
  // Node enforces headersTimeout and requestTimeout on this interval (default 30 s).
  http.connectionsCheckingInterval = Math.min(1000, limits.httpHeadersTimeoutMs);
  http.headersTimeout = limits.httpHeadersTimeoutMs;
  http.requestTimeout = limits.httpRequestTimeoutMs;
  http.keepAliveTimeout = limits.httpKeepAliveTimeoutMs;
  http.maxHeadersCount = limits.httpMaxHeadersCount;
  http.maxConnections = limits.httpMaxConnections;
  for (const microservice of app.getMicroservices()) {
    const tcp = microservice.unwrap<TcpServer>();
    tcp.maxConnections = limits.tcpMaxConnections;
    if (limits.tcpIdleTimeoutMs > 0) {
      tcp.on('connection', (socket: Socket) =>
        socket.setTimeout(limits.tcpIdleTimeoutMs, () => socket.destroy()),
      );
    }
  }
}
