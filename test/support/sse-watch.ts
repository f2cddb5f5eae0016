import { get, type ClientRequest, type IncomingMessage } from 'node:http';
import { waitFor } from './wait-for';

export interface LockWatchMessage {
  /** the SSE `event:` field */
  event: string;
  /** the SSE `id:` field */
  id: string;
  /** the parsed `data:` field */
  data: { type: string; name: string; owner: string; fencingToken: number; index: number };
}

/**
 * `GET /locks/{name}/watch` read with Node's `http.get`: parses the Server-Sent Events
 * stream into messages as they arrive. Open resolves once the response headers are in,
 * that is, once the node has subscribed this stream to its changes.
 */
export class SseWatch {
  readonly messages: LockWatchMessage[] = [];
  /** lines that were neither an event field, a comment nor blank */
  readonly unparsed: string[] = [];
  private buffered = '';

  private constructor(
    private readonly req: ClientRequest,
    readonly response: IncomingMessage,
  ) {
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => this.feed(chunk));
    // A stream ends with an error when it is closed or its node stops: nothing to report.
    response.on('error', () => undefined);
    req.on('error', () => undefined);
  }

  static open(baseUrl: string, name: string): Promise<SseWatch> {
    return new Promise((resolve, reject) => {
      const req = get(
        `${baseUrl}/locks/${encodeURIComponent(name)}/watch`,
        { headers: { accept: 'text/event-stream' } },
        (res) => {
          if (res.statusCode !== 200) {
            res.resume();
            reject(new Error(`watch ${name} answered ${res.statusCode}`));
            return;
          }
          resolve(new SseWatch(req, res));
        },
      );
      req.once('error', reject);
    });
  }

  /** Waits until `count` messages have arrived and returns the first `count`. */
  async take(count: number, timeoutMs = 20_000): Promise<LockWatchMessage[]> {
    return waitFor(
      `${count} watch messages`,
      () => {
        if (this.messages.length >= count) return this.messages.slice(0, count);
        throw new Error(`have ${this.messages.length}: ${JSON.stringify(this.messages)}`);
      },
      { timeoutMs },
    );
  }

  close(): void {
    this.req.destroy();
  }

  private feed(chunk: string): void {
    this.buffered += chunk.replace(/\r\n?/g, '\n');
    let end: number;
    while ((end = this.buffered.indexOf('\n\n')) >= 0) {
      const block = this.buffered.slice(0, end);
      this.buffered = this.buffered.slice(end + 2);
      this.parseBlock(block);
    }
  }

  private parseBlock(block: string): void {
    let event = 'message';
    let id = '';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'id') id = value;
      else if (field === 'data') data.push(value);
      else if (field !== 'retry') this.unparsed.push(line);
    }
    if (data.length === 0) return;
    this.messages.push({ event, id, data: JSON.parse(data.join('\n')) });
  }
}
