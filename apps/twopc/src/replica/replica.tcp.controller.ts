import { Controller } from '@nestjs/common';
import { MessagePattern, Payload, RpcException } from '@nestjs/microservices';
import { parseDecide, parseFence, parseOutcome, parsePrepare } from '../common/parse-payload';
import {
  TwoPcPatterns,
  type DecideReply,
  type FenceReply,
  type OutcomeReply,
  type PrepareReply,
  type ReplicaStatus,
} from '../common/twopc-messages';
import { InDoubtResolver } from './in-doubt-resolver.service';
import { ReplicaService } from './replica.service';

function valid<T>(parsed: T | string): T {
  if (typeof parsed === 'string') throw new RpcException({ code: 'bad_request', message: parsed });
  return parsed;
}

/** The replica's TCP face: coordinators send prepare, decide and fence; peers ask outcomes. */
@Controller()
export class ReplicaTcpController {
  constructor(
    private readonly replica: ReplicaService,
    private readonly inDoubt: InDoubtResolver,
  ) {}

  @MessagePattern(TwoPcPatterns.prepare)
  prepare(@Payload() payload: unknown): PrepareReply {
    const reply = this.replica.prepare(valid(parsePrepare(payload)));
    this.inDoubt.watch();
    return reply;
  }

  @MessagePattern(TwoPcPatterns.decide)
  decide(@Payload() payload: unknown): DecideReply {
    return this.replica.decide(valid(parseDecide(payload)));
  }

  @MessagePattern(TwoPcPatterns.fence)
  fence(@Payload() payload: unknown): FenceReply {
    return this.replica.fence(valid(parseFence(payload)).token);
  }

  @MessagePattern(TwoPcPatterns.status)
  status(): ReplicaStatus {
    return this.replica.status();
  }

  @MessagePattern(TwoPcPatterns.outcome)
  outcome(@Payload() payload: unknown): OutcomeReply {
    return this.replica.outcome(valid(parseOutcome(payload)).txId);
  }
}
