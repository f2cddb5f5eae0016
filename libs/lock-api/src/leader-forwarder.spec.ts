import { RpcException } from '@nestjs/microservices';
import { MessagePatterns, type MemberAddress, type RpcErrorBody } from '@app/protocol';
import type { NodeOptions, ReplicaService } from '@app/replica';
import { NEVER } from 'rxjs';
import { freePort, startFakeLockNode, type FakeLockNode } from '../../lock-client/test/fake-lock-node';
import { LeaderForwarder } from './leader-forwarder';
import { ok } from './lock-api-error';

// The leader is a real TCP microservice in this process; only ReplicaService is a stand-in.
describe('LeaderForwarder', () => {
  let leaderNode: FakeLockNode;
  let leader: MemberAddress | null;
  let forwarder: LeaderForwarder;

  beforeAll(async () => {
    leaderNode = await startFakeLockNode(() => ({ acquired: true }));
  });

  beforeEach(() => {
    leaderNode.calls.length = 0;
    leaderNode.handler = () => ({ acquired: true });
    leader = { id: 'n1', tcpAddress: leaderNode.address, httpAddress: '127.0.0.1:1' };
    const replica = { leader: () => leader } as unknown as ReplicaService;
    forwarder = new LeaderForwarder(replica, { id: 'n2', requestTimeoutMs: 2000 } as NodeOptions);
  });

  afterEach(() => forwarder.onApplicationShutdown());
  afterAll(() => leaderNode.close());

  it('sends the request to the leader, naming this node as the forwarder, and returns its answer', async () => {
    const payload = { name: 'x', clientId: 'c', requestId: 1 };
    await expect(forwarder.forward(MessagePatterns.preempt, payload)).resolves.toEqual(
      ok({ acquired: true }),
    );
    expect(leaderNode.calls).toEqual([
      { pattern: MessagePatterns.preempt, payload: { ...payload, forwardedBy: 'n2' } },
    ]);
  });

  it('has no leader to forward to when none is known or this node is the one named', async () => {
    leader = null;
    await expect(forwarder.forward(MessagePatterns.preempt, {})).resolves.toEqual({ type: 'noLeader' });
    leader = { id: 'n2', tcpAddress: leaderNode.address, httpAddress: '127.0.0.1:1' };
    await expect(forwarder.forward(MessagePatterns.preempt, {})).resolves.toEqual({ type: 'noLeader' });
    expect(leaderNode.calls).toEqual([]);
  });

  it("maps the leader's RPC error to the same error here", async () => {
    leaderNode.handler = () => {
      throw new RpcException({ code: 'bad_request', message: 'name is reserved' } satisfies RpcErrorBody);
    };
    await expect(forwarder.forward(MessagePatterns.preempt, {})).resolves.toEqual({
      type: 'badRequest',
      message: 'name is reserved',
    });
  });

  it('is unavailable when the leader does not answer in time', async () => {
    leaderNode.handler = () => NEVER;
    const result = await forwarder.forward(MessagePatterns.preempt, {}, 100);
    expect(result).toMatchObject({
      type: 'unavailable',
      reason: expect.stringMatching(/^leader n1 did not answer: /),
    });
  });

  it('is unavailable when the leader cannot be reached', async () => {
    leader = { id: 'n1', tcpAddress: `127.0.0.1:${await freePort()}`, httpAddress: '127.0.0.1:1' };
    const result = await forwarder.forward(MessagePatterns.preempt, {});
    expect(result).toMatchObject({
      type: 'unavailable',
      reason: expect.stringMatching(/^leader n1 did not answer: /),
    });
  });
});
