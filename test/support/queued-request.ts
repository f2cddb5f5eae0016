import type request from 'supertest';

export interface SentRequest {
  /** resolves once the whole request has been handed to the OS (the kernel queues it even for a SIGSTOPped server) */
  written: Promise<void>;
  /** the answer, whenever it comes */
  answer: Promise<request.Response>;
}

/**
 * Sends `test` now and tells when its bytes are written. Sent to a SIGSTOPped node, the
 * request waits in that node's socket buffer and is the first thing it reads on SIGCONT,
 * before it can hear from its peers that it was deposed.
 */
export function sendNow(test: request.Test): SentRequest {
  const written = new Promise<void>((resolve, reject) => {
    test.on('request', (sent: { req: NodeJS.EventEmitter }) => sent.req.once('finish', () => resolve()));
    test.on('error', reject);
  });
  const answer = Promise.resolve(test);
  // Observed by whoever awaits them; not unhandled rejections meanwhile.
  written.catch(() => undefined);
  answer.catch(() => undefined);
  return { written, answer };
}
