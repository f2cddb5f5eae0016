import type { CommandBus, QueryBus } from '@nestjs/cqrs';
import { RpcException } from '@nestjs/microservices';
import { MessagePatterns } from '@app/protocol';
import { PreemptLockCommand } from '../commands/preempt-lock.command';
import { ReleaseLockCommand } from '../commands/release-lock.command';
import type { LockWatchHub } from '../lock-watch.hub';
import type { ReadBarrier } from '../read-barrier.service';
import { ok } from '../lock-api-error';
import { NodeMetrics } from '../metrics/node-metrics';
import { LocksTcpController } from './locks.tcp.controller';

const CLIENT = '6f1c2b9e-3c1a-4d5e-9f00-1a2b3c4d5e6f';

/** The leader's side of a follower's batch: the same commands as single requests, answered in order. */
describe('LocksTcpController.forwardBatch', () => {
  const executed: unknown[] = [];
  const commandBus = {
    execute: (command: unknown) => {
      executed.push(command);
      if (command instanceof PreemptLockCommand)
        return Promise.resolve(ok({ acquired: true, fencingToken: 7, index: 3 }));
      if (command instanceof ReleaseLockCommand) return Promise.resolve({ type: 'notLeader', leader: null });
      return Promise.reject(new Error('unexpected command'));
    },
  } as unknown as CommandBus;
  const controller = new LocksTcpController(
    commandBus,
    {} as QueryBus,
    {} as LockWatchHub,
    {} as ReadBarrier,
    new NodeMetrics('n1'),
  );

  beforeEach(() => (executed.length = 0));

  it('runs each request as its own command, naming the follower, and answers each in order', async () => {
    const answers = await controller.forwardBatch({
      forwardedBy: 'n2',
      requests: [
        { pattern: MessagePatterns.preempt, payload: { name: 'a', clientId: CLIENT } },
        { pattern: MessagePatterns.release, payload: { name: 'a', clientId: CLIENT } },
        { pattern: MessagePatterns.preempt, payload: { name: '', clientId: CLIENT } },
      ],
    });
    expect(answers).toEqual([
      { ok: { acquired: true, fencingToken: 7, index: 3 } },
      { error: { code: 'not_leader', message: 'this node does not lead' } },
      { error: { code: 'bad_request', message: expect.stringContaining('name') } },
    ]);
    expect(executed).toEqual([
      new PreemptLockCommand({ name: 'a', clientId: CLIENT }, 'n2'),
      new ReleaseLockCommand({ name: 'a', clientId: CLIENT }, 'n2'),
    ]);
  });

  it.each([
    ['no follower named', { requests: [{ pattern: MessagePatterns.preempt, payload: {} }] }],
    ['an empty batch', { forwardedBy: 'n2', requests: [] }],
    [
      'a pattern that cannot be batched',
      { forwardedBy: 'n2', requests: [{ pattern: MessagePatterns.check, payload: {} }] },
    ],
    [
      'a request that is not an object',
      { forwardedBy: 'n2', requests: [{ pattern: MessagePatterns.release, payload: 3 }] },
    ],
    [
      'too many requests',
      {
        forwardedBy: 'n2',
        requests: Array.from({ length: 257 }, () => ({ pattern: MessagePatterns.release, payload: {} })),
      },
    ],
  ])('refuses %s as a bad request, running nothing', async (_, payload) => {
    await expect(controller.forwardBatch(payload)).rejects.toThrow(RpcException);
    expect(executed).toEqual([]);
  });

  it('fails the whole batch on an error that is not an RPC error (a bug, not an answer)', async () => {
    await expect(
      controller.forwardBatch({
        forwardedBy: 'n2',
        requests: [{ pattern: MessagePatterns.openSession, payload: { clientId: CLIENT } }],
      }),
    ).rejects.toThrow('unexpected command');
  });
});
