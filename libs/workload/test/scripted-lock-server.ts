import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the server saw it. */
export interface SeenRequest {
  method: string;
  url: string;
  body: unknown;
}

/** An answer: a status and a JSON body, or `hang` (never answer) or `text` (a body that is not JSON). */
export type ScriptedAnswer = { status: number; body?: unknown; text?: string } | 'hang';

/**
 * A loopback HTTP server that speaks the lock paths the workload uses, with a lock table of
 * its own (preempt takes a free or own lock, release frees an own lock, check reads it), or
 * answers what `script` returns for a request. It stands for a node whose answers the test
 * chooses, so that each way of classifying an answer can be seen.
 */
export interface ScriptedLockServer {
  address: string;
  seen: SeenRequest[];
  /** Returns the answer to send, or undefined for the lock table's own answer. */
  script: (request: SeenRequest) => ScriptedAnswer | undefined;
  view: { id: string; role: string; term: number; appliedIndex: number; commitIndex: number };
  /** Frees every lock and forgets what was seen and scripted. */
  reset(): void;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      resolve(text === '' ? null : (JSON.parse(text) as unknown));
    });
  });
}

export async function startScriptedLockServer(id: string): Promise<ScriptedLockServer> {
  const holders = new Map<string, { owner: string; fencingToken: number }>();
  let lastToken = 0;
  const hanging: ServerResponse[] = [];

  function ownAnswer(request: SeenRequest): ScriptedAnswer {
    const path = new URL(request.url, 'http://x').pathname;
    if (path === '/cluster') return { status: 200, body: server.view };
    if (path === '/locks') {
      const locks = [...holders].map(([name, h]) => ({ name, ...h }));
      return { status: 200, body: locks };
    }
    const [, , encoded, verb] = path.split('/');
    const name = decodeURIComponent(encoded ?? '');
    const holder = holders.get(name);
    const clientId = (request.body as { clientId?: string } | null)?.clientId ?? '';
    if (verb === undefined) return { status: 200, body: { name, held: holder !== undefined, ...holder } };
    if (verb === 'preempt') {
      if (holder !== undefined && holder.owner !== clientId)
        return { status: 409, body: { acquired: false, ...holder } };
      const granted = holder ?? { owner: clientId, fencingToken: ++lastToken };
      holders.set(name, granted);
      return { status: 200, body: { acquired: true, ...granted } };
    }
    if (holder?.owner !== clientId) return { status: 409, body: { released: false, reason: 'not_owner' } };
    holders.delete(name);
    return { status: 200, body: { released: true } };
  }

  const http: Server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const request = { method: req.method ?? 'GET', url: req.url ?? '/', body };
      server.seen.push(request);
      const answer: ScriptedAnswer = server.script(request) ?? ownAnswer(request);
      if (answer === 'hang') return void hanging.push(res);
      res.writeHead(answer.status, {
        'content-type': answer.text === undefined ? 'application/json' : 'text/plain',
      });
      res.end(answer.text ?? JSON.stringify(answer.body ?? {}));
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  const server: ScriptedLockServer = {
    address: `127.0.0.1:${port}`,
    seen: [],
    script: () => undefined,
    view: { id, role: 'follower', term: 1, appliedIndex: 0, commitIndex: 0 },
    reset: () => {
      holders.clear();
      server.seen.length = 0;
      server.script = () => undefined;
      server.view.appliedIndex = 0;
    },
    close: async () => {
      for (const res of hanging) res.destroy();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
  return server;
}
