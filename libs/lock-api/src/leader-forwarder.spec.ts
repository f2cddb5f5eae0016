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

  it('sends the writes of one turn to the leader as one batch, and gives each its own answer', async () => {
    leaderNode.handler = (pattern, payload) => {
      if (pattern !== MessagePatterns.forwardBatch) throw new Error(`unexpected ${pattern}`);
      const { requests } = payload as { requests: { payload: { name: string } }[] };
      return requests.map(({ payload: p }) =>
        p.name === 'taken'
          ? {
              error: { code: 'bad_request', message: 'taken is reserved' } satisfies {
                code: string;
                message: string;
              },
            }
          : { ok: { acquired: true, name: p.name } },
      );
    };
    const answers = await Promise.all([
      forwarder.forward(MessagePatterns.preempt, { name: 'a' }),
      forwarder.forward(MessagePatterns.release, { name: 'taken' }),
      forwarder.forward(MessagePatterns.preempt, { name: 'c' }),
    ]);
    expect(answers).toEqual([
      ok({ acquired: true, name: 'a' }),
      { type: 'badRequest', message: 'taken is reserved' },
      ok({ acquired: true, name: 'c' }),
    ]);
    expect(leaderNode.calls).toEqual([
      {
        pattern: MessagePatterns.forwardBatch,
        payload: {
          forwardedBy: 'n2',
          requests: [
            { pattern: MessagePatterns.preempt, payload: { name: 'a' } },
            { pattern: MessagePatterns.release, payload: { name: 'taken' } },
            { pattern: MessagePatterns.preempt, payload: { name: 'c' } },
          ],
        },
      },
    ]);
  });

  it('sends a waiting preempt (a longer timeout) on its own, outside any batch', async () => {
    await Promise.all([
      forwarder.forward(MessagePatterns.preempt, { name: 'a' }),
      forwarder.forward(MessagePatterns.preempt, { name: 'w', waitMs: 500 }, 2500),
    ]);
    expect(leaderNode.calls.map((c) => c.pattern).sort()).toEqual([
      MessagePatterns.preempt,
      MessagePatterns.preempt,
    ]);
  });

  it('fails every request of a batch the leader does not answer, as unavailable', async () => {
    leaderNode.handler = () => NEVER;
    forwarder = new LeaderForwarder(
      { leader: () => leader } as unknown as ReplicaService,
      {
        id: 'n2',
        requestTimeoutMs: 100,
      } as NodeOptions,
    );
    const answers = await Promise.all([
      forwarder.forward(MessagePatterns.preempt, { name: 'a' }),
      forwarder.forward(MessagePatterns.release, { name: 'b' }),
    ]);
    for (const answer of answers)
      expect(answer).toMatchObject({
        type: 'unavailable',
        reason: expect.stringMatching(/^leader n1 did not answer/),
      });
  });
});
