import { MessagePatterns } from '@app/protocol';
import type { ClusterStatus } from '@app/protocol';
import { waitFor } from '../../../test/support/wait-for';
import { startInProcessNode } from '../test/in-process-node';
import type { InProcessNode } from '../test/in-process-node';

const ALICE = '2b1f7f3e-0c56-5d0a-9a57-3f7d2c1e8b40';
const BOB = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

/**
 * A leader and a follower that joins it, both real nodes in this process: the join, writes
 * and session calls forwarded by the follower, reads on the follower (local, minIndex and
 * linearizable), the dashboard's view of both members, and the removal of the follower.
 */
describe('a leader and a follower in process', () => {
  let leader: InProcessNode;
  let follower: InProcessNode;

  const statusOf = async (node: InProcessNode) => (await node.call('GET', '/cluster')).body as ClusterStatus;

  beforeAll(async () => {
    leader = await startInProcessNode('n1');
    await waitFor('n1 to lead', async () => (await statusOf(leader)).role === 'leader');
    follower = await startInProcessNode('n2', leader.tcpAddress);
    await waitFor('n2 to join and follow n1', async () => {
      const status = await statusOf(follower);
      return status.leaderId === 'n1' && status.members.length === 2;
    });
  });

  afterAll(async () => {
    await follower?.close();
    await leader?.close();
  });

  it('forwards writes from the follower to the leader and serves reads on the follower', async () => {
    const granted = await follower.call('POST', '/locks/fwd/preempt', { clientId: ALICE });
    expect(granted).toMatchObject({ status: 200, body: { acquired: true, owner: ALICE } });
    expect(await follower.call('POST', '/locks/fwd/preempt', { clientId: BOB })).toMatchObject({
      status: 409,
      body: { owner: ALICE },
    });
    // A linearizable read on the follower confirms with the leader first: it sees the grant.
    expect(await follower.call('GET', '/locks/fwd?consistency=linearizable')).toMatchObject({
      status: 200,
      body: { owner: ALICE, servedBy: 'n2' },
    });
    const { appliedIndex } = (await leader.call('GET', '/locks/fwd')).body as { appliedIndex: number };
    expect(await follower.call('GET', `/locks/fwd?minIndex=${appliedIndex}`)).toMatchObject({
      body: { owner: ALICE },
    });
    expect(
      await follower.rpc(MessagePatterns.check, { name: 'fwd', consistency: 'linearizable' }),
    ).toMatchObject({ owner: ALICE, servedBy: 'n2' });
    expect(await follower.call('POST', '/locks/fwd/release', { clientId: ALICE })).toMatchObject({
      status: 200,
      body: { released: true },
    });
    expect(await leader.call('GET', '/locks/fwd?consistency=linearizable')).toMatchObject({
      body: { owner: null },
    });
  });

  it('forwards session calls and a waiting preempt from the follower', async () => {
    const opened = await follower.call('POST', '/sessions', { clientId: BOB, ttlMs: 10_000 });
    expect(opened).toMatchObject({ status: 201, body: { clientId: BOB } });
    const { sessionId } = opened.body as { sessionId: string };
    expect(await follower.call('POST', `/sessions/${sessionId}/keepalive`)).toMatchObject({ status: 200 });
    expect(await follower.call('POST', '/locks/s/preempt', { clientId: BOB, sessionId })).toMatchObject({
      body: { acquired: true },
    });
    const waiting = follower.call('POST', '/locks/s/preempt', { clientId: ALICE, waitMs: 30_000 });
    await waitFor('the waiter to be queued', async () => {
      const { body } = await leader.call('GET', '/locks/s');
      return (body as { waiters: number }).waiters === 1;
    });
    expect(await follower.call('DELETE', `/sessions/${sessionId}`)).toMatchObject({ status: 200 });
    expect(await waiting).toMatchObject({ status: 200, body: { acquired: true, owner: ALICE } });
    expect(await follower.call('POST', `/sessions/${sessionId}/keepalive`)).toMatchObject({ status: 404 });
    await leader.call('POST', '/locks/s/release', { clientId: ALICE });
  });

  it('shows both members on the dashboard stream, reachable and caught up', async () => {
    const controller = new AbortController();
    const res = await fetch(`${leader.base}/dashboard/events?size=5&filter=`, { signal: controller.signal });
    expect(res.status).toBe(200);
    const reader = defined(res.body).getReader();
    let text = '';
    try {
      while (!text.includes('\n\n')) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
    } finally {
      controller.abort();
    }
    const data = defined(/^data: (.*)$/m.exec(text))[1] ?? '';
    const view = JSON.parse(data) as {
      node: { id: string; role: string };
      members: { id: string; lag: number | null }[];
    };
    // No cluster secret here: the page is told, and shows it.
    expect(view.node).toMatchObject({ id: 'n1', role: 'leader', peerAuthentication: 'none' });
    expect(view.members.map((m) => m.id).sort()).toEqual(['n1', 'n2']);
    expect((await leader.call('GET', '/dashboard/events?size=0')).status).toBe(400);
    expect((await leader.call('GET', '/dashboard/events?filter=has%20space')).status).toBe(400);
  });

  it('removes the follower through the follower itself, and refuses to remove it twice', async () => {
    const removed = await follower.call('DELETE', '/cluster/members/n2');
    expect(removed).toMatchObject({ status: 200, body: { leaderId: 'n1' } });
    expect((removed.body as { members: { id: string }[] }).members.map((m) => m.id)).toEqual(['n1']);
    await waitFor(
      'the leader to count one member',
      async () => (await statusOf(leader)).members.length === 1,
    );
    expect((await leader.call('DELETE', '/cluster/members/n2')).status).toBe(404);
  });
});

function defined<T>(value: T | null | undefined): T {
  if (value === null || value === undefined) throw new Error('expected a value');
  return value;
}
