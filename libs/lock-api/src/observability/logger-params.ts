import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { NodeOptions } from '@app/replica';
import type { LogContext } from './log-context';
import { redactUrl } from './redact-url';

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);
/** A client's own request id is kept if it looks like one (no log injection). */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** The pino level from LATCHKEY_LOG_LEVEL; an unknown value falls back to info. */
export function logLevelFrom(env: NodeJS.ProcessEnv): string {
  const level = env.LATCHKEY_LOG_LEVEL?.trim().toLowerCase();
  return level && LEVELS.has(level) ? level : 'info';
}

/**
 * pino through nestjs-pino: JSON lines with the node id, its current term and, for
 * HTTP, a request id (the client's `x-request-id` or a new one, echoed back). Pretty
 * when stdout is a terminal. Request lines are debug (warn for 5xx other than 503):
 * a busy node must not log a line per lock operation by default.
 */
export function loggerParams(options: NodeOptions, context: LogContext, env: NodeJS.ProcessEnv): Params {
  return {
    pinoHttp: {
      level: logLevelFrom(env),
      base: { node: options.id, pid: process.pid },
      mixin: () => ({ term: context.term }),
      transport: process.stdout.isTTY
        ? { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } }
        : undefined,
      genReqId: (req: IncomingMessage, res: ServerResponse) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
      customLogLevel: (_req, res, error) =>
        (res.statusCode >= 500 && res.statusCode !== 503) || error ? 'warn' : 'debug',
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          url: redactUrl(req.url),
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      // Bodies are never logged; these paths are belt and braces for anything that logs a payload.
      redact: { paths: ['sessionId', '*.sessionId', 'req.headers', 'req.body'], censor: '[redacted]' },
    },
  };
}
