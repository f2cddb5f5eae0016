import { ServerTCP } from '@nestjs/microservices';

/**
 * Nest's TCP server, routing plain string patterns without a failed JSON.parse.
 *
 * The server looks up each message's handler by first trying `JSON.parse(pattern)`, for
 * patterns that are objects. Every pattern of this service is a plain string
 * (`locks.preempt`, `peer.message`), so that parse throws a SyntaxError, with its stack
 * trace, for every request and every replication message: about 10 µs each, measured. A
 * pattern that cannot be an object's JSON goes straight to the same normalization.
 */
export class StringPatternServerTcp extends ServerTCP {
  protected override getRouteFromPattern(pattern: string): string {
    return pattern.startsWith('{') ? super.getRouteFromPattern(pattern) : this.normalizePattern(pattern);
  }
}
