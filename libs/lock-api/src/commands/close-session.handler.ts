import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { MessagePatterns, type CloseSessionResponse } from '@app/protocol';
import { ok, type LockApiResult } from '../lock-api-error';
import { LockWriteService } from '../lock-write.service';
import { CloseSessionCommand } from './close-session.command';

/** Ends a session through the log, releasing its locks and its place in queues. */
@CommandHandler(CloseSessionCommand)
export class CloseSessionHandler implements ICommandHandler<CloseSessionCommand> {
  constructor(private readonly writes: LockWriteService) {}

  execute({
    sessionId,
    forwardedBy,
  }: CloseSessionCommand): Promise<LockApiResult<CloseSessionResponse & { index?: number }>> {
    return this.writes.write(
      { type: 'closeSession', sessionId },
      { pattern: MessagePatterns.closeSession, payload: { sessionId } },
      forwardedBy,
      ({ outcome, index }) =>
        outcome.type === 'sessionClosed'
          ? ok({ sessionId, closed: true as const, index })
          : { type: 'notFound', message: 'session not found: unknown, closed or expired' },
    );
  }
}
