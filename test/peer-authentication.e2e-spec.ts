import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { ClientProxyFactory, Transport, type ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, timeout } from 'rxjs';
import request from 'supertest';
import { MessagePatterns, type ClusterStatus, type JoinClusterRequest } from '@app/protocol';
import { PeerAuthenticator, joinSealBody, joinSealContext } from '@app/replica';
import { newClientId } from './support/client-ids';
import { clusterView, grant, waitForSameState } from './support/cluster-state';
import { freePort } from './support/free-port';
import { LocalCluster, type NodeHandle } from './support/local-cluster';
import { parsePrometheusText } from './support/prometheus-text';
import { waitFor } from './support/wait-for';

// Nodes that share a cluster secret seal every peer message and join request with an
// HMAC-SHA256 and refuse what is not sealed, sealed with another secret, or delivered twice.
jest.setTimeout(240_000);

const SECRET = randomBytes(32).toString('hex');
const env: Record<string, string> = {
  LATCHKEY_HEARTBEAT_MS: '50',
  LATCHKEY_ELECTION_TIMEOUT_MIN_MS: '400',
  LATCHKEY_ELECTION_TIMEOUT_MAX_MS: '800',
  LATCHKEY_REQUEST_TIMEOUT_MS: '1500',
  LATCHKEY_CLUSTER_SECRET: SECRET,
};

async function statusOf(node: NodeHandle): Promise<ClusterStatus> {
  return (await request(node.url).get('/cluster').timeout(2000).expect(200)).body as ClusterStatus;
}

async function refused(node: NodeHandle, reason: string): Promise<number> {
  const text = (await request(node.url).get('/metrics').timeout(5000)).text;
  const sample = parsePrometheusText(text).samples.find(
    (s) => s.name === 'latchkey_peer_messages_refused_total' && s.labels.reason === reason,
  );
  return sample?.value ?? 0;
}

function tcpClient(node: NodeHandle): ClientProxy {
  return ClientProxyFactory.create({
    transport: Transport.TCP,
    options: { host: '127.0.0.1', port: node.port },
  });
}

/** Emits the events on one connection, then waits for an answer on it: the node handled them in order. */
async function deliver(node: NodeHandle, events: unknown[]): Promise<void> {
  const client = tcpClient(node);
  try {
    for (const event of events) await firstValueFrom(client.emit(MessagePatterns.peerMessage, event));
    await firstValueFrom(client.send(MessagePatterns.clusterStatus, {}).pipe(timeout(10_000)));
  } finally {
    await client.close();
  }
}

/** A TCP listener that keeps the peer messages sent to it, as the node's own framing writes them. */
class Tap {
  readonly captured: unknown[] = [];
  private readonly sockets = new Set<Socket>();
  private constructor(private readonly server: Server) {}

  static async listen(port: number): Promise<Tap> {
    const server = createServer();
    const tap = new Tap(server);
    server.on('connection', (socket) => tap.read(socket));
    await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));
    return tap;
  }

  private read(socket: Socket): void {
    this.sockets.add(socket);
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      buffered += text;
      for (let frame = /^(\d+)#/.exec(buffered); frame; frame = /^(\d+)#/.exec(buffered)) {
        const start = frame[0].length;
        const length = Number(frame[1]);
        if (buffered.length < start + length) return;
        const packet = JSON.parse(buffered.slice(start, start + length)) as {
          pattern: string;
          data: unknown;
        };
        if (packet.pattern === MessagePatterns.peerMessage) this.captured.push(packet.data);
        buffered = buffered.slice(start + length);
      }
    });
    socket.on('error', () => undefined);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((done) => this.server.close(() => done()));
  }
}

describe('authenticated peers', () => {
  let cluster: LocalCluster;

  beforeAll(async () => {
    cluster = await LocalCluster.start({ size: 3, env });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('a cluster with a secret forms, replicates, and says it authenticates its peers', async () => {
    const views = await Promise.all(cluster.nodes.map(statusOf));
    expect(views.map((v) => v.peerAuthentication)).toEqual(['hmac-sha256', 'hmac-sha256', 'hmac-sha256']);
    const leader = await cluster.leader();
    await grant(leader.url, 'auth:formed', newClientId());
    const agreed = await waitForSameState(cluster);
    expect(agreed.map((g) => g.name)).toContain('auth:formed');
    for (const node of cluster.nodes) expect(await refused(node, 'bad-mac')).toBe(0);
  });

  it('refuses and counts a member restarted with a wrong secret; with the right one it catches up', async () => {
    const leader = await cluster.leader();
    const victim = cluster.nodes.find((n) => n.id !== leader.id)!;
    await cluster.kill(victim.id, 'SIGKILL');
    env.LATCHKEY_CLUSTER_SECRET = randomBytes(32).toString('hex');
    try {
      await cluster.startNode(victim.id);
    } finally {
      env.LATCHKEY_CLUSTER_SECRET = SECRET;
    }
    // It refuses the leader's heartbeats, and the others refuse its vote requests once it campaigns.
    await waitFor(
      `${victim.id} to refuse the leader's messages`,
      async () => (await refused(victim, 'bad-mac')) > 0,
    );
    await waitFor(`the others to refuse ${victim.id}'s messages`, async () => {
      const others = cluster.running().filter((n) => n.id !== victim.id);
      const counts = await Promise.all(others.map((n) => refused(n, 'bad-mac')));
      return counts.some((count) => count > 0);
    });
    expect(cluster.tail(victim.id, 200)).toMatch(/refused a peer message from .*: its MAC is wrong/);
    const live = cluster.running().find((n) => n.id !== victim.id)!;
    const written = await grant(live.url, 'auth:while-wrong', newClientId());
    // It cannot have the write: nothing it was sent passed its gate.
    expect((await clusterView(victim.url)).appliedIndex).toBeLessThan(written.fencingToken);

    await cluster.kill(victim.id, 'SIGKILL');
    await cluster.startNode(victim.id);
    const agreed = await waitForSameState(cluster);
    expect(agreed.map((g) => g.name)).toContain('auth:while-wrong');
  });

  it('refuses a message from a hostile TCP client with a wrong MAC or none, counts it, and keeps serving', async () => {
    const leader = await cluster.leader();
    const { clusterId, term } = await statusOf(leader);
    const follower = cluster.running().find((n) => n.id !== leader.id)!;
    const vote = {
      type: 'requestVote',
      from: follower.id,
      to: leader.id,
      term: term + 5,
      lastLogIndex: 1e9,
      lastLogTerm: term + 5,
    };
    const forged = {
      clusterId,
      fromTcpAddress: follower.tcpAddress,
      message: vote,
      auth: {
        epoch: 'e',
        epochStartMs: Date.now(),
        seq: 1,
        sentAtMs: Date.now(),
        mac: randomBytes(32).toString('base64'),
      },
    };
    const badBefore = await refused(leader, 'bad-mac');
    const bareBefore = await refused(leader, 'unauthenticated');
    await deliver(leader, [forged, { clusterId, fromTcpAddress: follower.tcpAddress, message: vote }]);
    expect(await refused(leader, 'bad-mac')).toBe(badBefore + 1);
    expect(await refused(leader, 'unauthenticated')).toBe(bareBefore + 1);
    // A higher-term vote request that got through would have deposed the leader.
    expect((await statusOf(leader)).term).toBe(term);
    await grant(leader.url, 'auth:after-forgery', newClientId());
  });

  it('refuses a message delivered a second time, and a captured one delivered to another node', async () => {
    const leader = await cluster.leader();
    const { clusterId, term } = await statusOf(leader);
    const follower = cluster.running().find((n) => n.id !== leader.id)!;

    // A learner whose address is this test's listener: the leader's sealed messages to it are captured.
    const tapPort = await freePort();
    const tap = await Tap.listen(tapPort);
    try {
      const join: JoinClusterRequest = {
        id: 'tap',
        tcpAddress: `127.0.0.1:${tapPort}`,
        httpAddress: `127.0.0.1:${tapPort}`,
        storageId: randomUUID(),
        clusterId: clusterId!,
      };
      const sealer = new PeerAuthenticator(Buffer.from(SECRET, 'utf8'));
      const auth = sealer.seal(joinSealContext(join), joinSealBody(join));
      const client = tcpClient(leader);
      try {
        await firstValueFrom(client.send(MessagePatterns.join, { ...join, auth }).pipe(timeout(10_000)));
        // The very same join request again is a replay.
        const again = await firstValueFrom(
          client.send(MessagePatterns.join, { ...join, auth }).pipe(timeout(10_000)),
        ).then(
          () => 'accepted',
          (error: unknown) => JSON.stringify(error),
        );
        expect(again).toMatch(/delivered before \(a replay\)/);
      } finally {
        await client.close();
      }
      const captured = await waitFor('a sealed message from the leader to the tap', () => tap.captured[0]);

      // Sealed by a member with the secret: delivered once it passes, twice it is a replay.
      const vote = {
        type: 'requestVote',
        from: follower.id,
        to: leader.id,
        term,
        lastLogIndex: 0,
        lastLogTerm: 0,
        preVote: true,
      };
      const sealed = {
        clusterId,
        fromTcpAddress: follower.tcpAddress,
        message: vote,
        auth: sealer.seal({ scope: 'message', clusterId: clusterId!, sender: follower.tcpAddress }, vote),
      };
      const replayedBefore = await refused(leader, 'replayed');
      await deliver(leader, [sealed]);
      expect(await refused(leader, 'replayed')).toBe(replayedBefore);
      await deliver(leader, [sealed]);
      expect(await refused(leader, 'replayed')).toBe(replayedBefore + 1);

      // The captured message, authentic but addressed to the tap, is refused by a follower.
      const misdirectedBefore = await refused(follower, 'misdirected');
      await deliver(follower, [captured]);
      expect(await refused(follower, 'misdirected')).toBe(misdirectedBefore + 1);
    } finally {
      await tap.close();
    }
    const removed = await request(leader.url).delete('/cluster/members/tap').timeout(10_000);
    expect(removed.status).toBe(200);
    await grant(leader.url, 'auth:after-replay', newClientId());
  });
});
