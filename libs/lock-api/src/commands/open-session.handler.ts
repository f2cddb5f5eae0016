import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomBytes } from 'node:crypto';
import { MessagePatterns, type OpenSessionResponse } from '@app/protocol';
import { ok, type LockApiResult } from '../lock-api-error';
import { LockWriteService } from '../lock-write.service';
import { OpenSessionCommand } from './open-session.command';

/** 128 random bits: the session id is the secret that proves ownership. */
function newSessionId(): string {
  return randomBytes(16).toString('hex');
}

@CommandHandler(OpenSessionCommand)
export class OpenSessionHandler implements ICommandHandler<OpenSessionCommand> {
  constructor(private readonly writes: LockWriteService) {}

  execute({
    request,
    forwardedBy,
  }: OpenSessionCommand): Promise<LockApiResult<OpenSessionResponse & { index?: number }>> {
    return this.writes.write(
      { type: 'openSession', sessionId: newSessionId(), clientId: request.clientId, ttlMs: request.ttlMs },
      { pattern: MessagePatterns.openSession, payload: request },
      forwardedBy,
      ({ outcome, index }) =>
        outcome.type === 'sessionOpened'
          ? ok({ sessionId: outcome.sessionId, clientId: outcome.clientId, ttlMs: outcome.ttlMs, index })
          : { type: 'unavailable', reason: `unexpected outcome ${outcome.type}` },
    );
  }
}
