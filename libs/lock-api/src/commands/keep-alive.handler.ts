import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { MessagePatterns, type KeepAliveResponse } from '@app/protocol';
import { ReplicaService } from '@app/replica';
import { LeaderForwarder } from '../leader-forwarder';
import { ok, type LockApiResult } from '../lock-api-error';
import { KeepAliveCommand } from './keep-alive.command';

/** Keepalives go to the leader, which answers from memory: cheap, no fsync. */
@CommandHandler(KeepAliveCommand)
export class KeepAliveHandler implements ICommandHandler<KeepAliveCommand> {
  constructor(
    private readonly replica: ReplicaService,
    private readonly forwarder: LeaderForwarder,
  ) {}

  async execute({ sessionId, forwardedBy }: KeepAliveCommand): Promise<LockApiResult<KeepAliveResponse>> {
    const result = await this.replica.keepAlive(sessionId);
    switch (result.type) {
      case 'alive':
        return ok({ sessionId, ttlMs: result.ttlMs });
      case 'notFound':
        return { type: 'notFound', message: 'session not found: unknown, closed or expired' };
      case 'unavailable':
        return result;
      case 'notLeader':
        if (forwardedBy !== null) return { type: 'notLeader', leader: result.leader };
        return this.forwarder.forward<KeepAliveResponse>(MessagePatterns.keepAlive, { sessionId });
    }
  }
}
