import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, Payload, Transport } from '@nestjs/microservices';
import { MessagePatterns, type MemberAddress } from '@app/protocol';
import type { NodeOptions, ReplicaService } from '@app/replica';
import { countCalls, freePort, startFakeLockNode } from '../../lock-client/test/fake-lock-node';
import { LeaderForwarder } from './leader-forwarder';
import { ok } from './lock-api-error';

/** What the leader of an earlier version received: it knows preempt and release, not batches. */
const received: { pattern: string; name: string }[] = [];

@Controller()
class EarlierLeaderController {
  @MessagePattern(MessagePatterns.preempt)
  preempt(@Payload() payload: { name: string }): unknown {
    received.push({ pattern: MessagePatterns.preempt, name: payload.name });
    return { acquired: true, name: payload.name };
  }

  @MessagePattern(MessagePatterns.release)
  release(@Payload() payload: { name: string }): unknown {
    received.push({ pattern: MessagePatterns.release, name: payload.name });
    return { released: true, name: payload.name };
  }
}

@Module({ controllers: [EarlierLeaderController] })
class EarlierLeaderModule {}

// During a rolling upgrade a follower of this version may forward to a leader that has no
// `forwardBatch` handler: the writes must still reach it, one message each.
describe('LeaderForwarder and a leader of an earlier version', () => {
  let app: INestMicroservice;
  let leader: MemberAddress;
  let forwarder: LeaderForwarder;

  beforeAll(async () => {
    const port = await freePort();
    app = await NestFactory.createMicroservice(EarlierLeaderModule, {
      transport: Transport.TCP,
      options: { host: '127.0.0.1', port },
      logger: false,
    });
    await app.listen();
    leader = { id: 'n1', tcpAddress: `127.0.0.1:${port}`, httpAddress: '127.0.0.1:1' };
  });
  let closing: Promise<void> | undefined;
  const closeEarlierLeader = () => (closing ??= app.close());
  afterAll(() => closeEarlierLeader());

  beforeEach(() => {
    received.length = 0;
    const replica = { leader: () => leader } as unknown as ReplicaService;
    forwarder = new LeaderForwarder(replica, { id: 'n2', requestTimeoutMs: 2000 } as NodeOptions);
  });
  afterEach(() => forwarder.onApplicationShutdown());

  const forwardTogether = (names: string[]) =>
    Promise.all(names.map((name) => forwarder.forward(MessagePatterns.preempt, { name })));

  it('sends the writes of a batch the leader does not know one by one, each answered', async () => {
    await expect(forwardTogether(['a', 'b', 'c'])).resolves.toEqual([
      ok({ acquired: true, name: 'a' }),
      ok({ acquired: true, name: 'b' }),
      ok({ acquired: true, name: 'c' }),
    ]);
    expect(received.map((r) => r.name).sort()).toEqual(['a', 'b', 'c']);
  });

  it('stops offering batches to that leader, and each write reaches it once', async () => {
    const requests = jest.spyOn(
      forwarder as unknown as { request: (...args: unknown[]) => unknown },
      'request',
    );
    await forwardTogether(['a', 'b']);
    await expect(forwardTogether(['c', 'd'])).resolves.toEqual([
      ok({ acquired: true, name: 'c' }),
      ok({ acquired: true, name: 'd' }),
    ]);
    expect(received.map((r) => r.name).sort()).toEqual(['a', 'b', 'c', 'd']);
    const patterns = requests.mock.calls.map((call) => call[1]);
    expect(patterns.filter((p) => p === MessagePatterns.forwardBatch)).toHaveLength(1);
  });

  it('offers batches again to that node once it has led again after another (its restart on a new build)', async () => {
    await forwardTogether(['a', 'b']);
    const answerBatch = (_pattern: unknown, payload: unknown) =>
      (payload as { requests: unknown[] }).requests.map(() => ({ ok: { acquired: true } }));
    const other = await startFakeLockNode(answerBatch);
    const earlierAddress = leader;
    await closeEarlierLeader();
    const restarted = await startFakeLockNode(answerBatch, Number(earlierAddress.tcpAddress.split(':')[1]));
    try {
      leader = { id: 'n3', tcpAddress: other.address, httpAddress: '127.0.0.1:1' };
      await forwardTogether(['c', 'd']);
      leader = earlierAddress;
      await forwardTogether(['e', 'f']);
      expect(countCalls(restarted, MessagePatterns.forwardBatch)).toBe(1);
    } finally {
      await Promise.all([other.close(), restarted.close()]);
    }
  });
});
