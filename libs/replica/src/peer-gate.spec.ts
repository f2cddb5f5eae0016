import { Logger } from '@nestjs/common';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { JoinClusterRequest } from '@app/protocol';
import { ClusterIdentity } from './cluster-identity';
import { PeerAuthenticator } from './peer-authenticator';
import { PeerGate, joinSealBody, joinSealContext, type PeerRefusal } from './peer-gate';

const OURS = '0b5c8f1e-2d3a-4b6c-8d9e-0f1a2b3c4d5e';
const THEIRS = '9d3c1a0e-7b2f-4e4d-8c6a-1f0e2d3c4b5a';
const SECRET = Buffer.from('a secret of thirty-two characters');
const VOTE = { type: 'requestVote', from: 'n1', to: 'n2', term: 3, lastLogIndex: 7, lastLogTerm: 2 };

describe('PeerGate', () => {
  let dir: string;
  let refusals: PeerRefusal[];
  let warnings: string[];

  beforeEach(() => {
    senders.clear();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-gate-'));
    refusals = [];
    warnings = [];
    jest
      .spyOn(Logger.prototype, 'warn')
      .mockImplementation((text: unknown) => void warnings.push(String(text)));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function gate(secret: Buffer | null): Promise<PeerGate> {
    const identity = new ClusterIdentity(dir);
    await identity.adopt(OURS);
    const made = new PeerGate(identity, secret === null ? null : new PeerAuthenticator(secret), 'n2');
    made.refusalObserver = (reason) => void refusals.push(reason);
    return made;
  }

  /** One sender process per secret: a second process of the same sender would be a later epoch. */
  const senders = new Map<string, PeerAuthenticator>();
  function sealed(clusterId: string, secret: Buffer, message: object = VOTE): object {
    const sender = senders.get(secret.toString()) ?? new PeerAuthenticator(secret);
    senders.set(secret.toString(), sender);
    const auth = sender.seal({ scope: 'message', clusterId, sender: '127.0.0.1:8001' }, message);
    return { clusterId, fromTcpAddress: '127.0.0.1:8001', message, auth };
  }

  it('without a secret, admits a well-formed message of its cluster and refuses another cluster with one line naming both ids and the sender', async () => {
    const open = await gate(null);
    expect(open.admit({ clusterId: OURS, fromTcpAddress: '127.0.0.1:8001', message: VOTE })).not.toBeNull();
    expect(open.admit({ clusterId: THEIRS, fromTcpAddress: '127.0.0.1:8001', message: VOTE })).toBeNull();
    expect(open.admit({ clusterId: THEIRS, fromTcpAddress: '127.0.0.1:8001', message: VOTE })).toBeNull();
    expect(refusals).toEqual(['other-cluster', 'other-cluster']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`n1@127.0.0.1:8001 of cluster ${THEIRS}`);
    expect(warnings[0]).toContain(`this is cluster ${OURS}`);
  });

  it('with a secret, admits a sealed message once and refuses its replay, a missing seal, and a wrong secret', async () => {
    const closed = await gate(SECRET);
    const message = sealed(OURS, SECRET);
    expect(closed.admit(message)).not.toBeNull();
    expect(closed.admit(JSON.parse(JSON.stringify(message)))).toBeNull();
    expect(closed.admit({ clusterId: OURS, fromTcpAddress: '127.0.0.1:8001', message: VOTE })).toBeNull();
    expect(closed.admit(sealed(OURS, Buffer.from('another secret, thirty-two chars')))).toBeNull();
    expect(refusals).toEqual(['replayed', 'unauthenticated', 'bad-mac']);
  });

  it('checks the MAC before the message: a forged message of any shape is a bad MAC, never a crash', async () => {
    const closed = await gate(SECRET);
    const forged = { ...sealed(OURS, SECRET), message: { type: 'appendEntries', from: 'n1', entries: 'x' } };
    expect(closed.admit(forged)).toBeNull();
    expect(closed.admit({ clusterId: 'nope', message: {} })).toBeNull();
    expect(closed.admit(null)).toBeNull();
    expect(refusals).toEqual(['bad-mac', 'malformed', 'malformed']);
  });

  it('refuses a sealed message of its own cluster whose body is malformed, or that is addressed to another node', async () => {
    const closed = await gate(SECRET);
    expect(closed.admit(sealed(OURS, SECRET, { ...VOTE, term: -1 }))).toBeNull();
    expect(closed.admit(sealed(OURS, SECRET, { ...VOTE, to: 'n3' }))).toBeNull();
    expect(refusals).toEqual(['malformed', 'misdirected']);
  });

  it('refuses a join from another cluster with an answer naming both ids, and an unsealed join when it has a secret', async () => {
    const open = await gate(null);
    const join: JoinClusterRequest = {
      id: 'n4',
      tcpAddress: '127.0.0.1:8004',
      httpAddress: '127.0.0.1:3004',
      storageId: 's4',
      clusterId: THEIRS,
    };
    expect(open.admitJoin(join)).toEqual({
      type: 'refused',
      reason: 'other-cluster',
      message: `n4@127.0.0.1:8004 belongs to cluster ${THEIRS}, this is cluster ${OURS}`,
    });
    expect(open.admitJoin({ ...join, clusterId: undefined })).toEqual({ type: 'admitted' });
    const closed = await gate(SECRET);
    const newcomer = { ...join, clusterId: undefined };
    expect(closed.admitJoin(newcomer)).toMatchObject({ type: 'refused', reason: 'unauthenticated' });
    const auth = new PeerAuthenticator(SECRET).seal(joinSealContext(newcomer), joinSealBody(newcomer));
    expect(closed.admitJoin({ ...newcomer, auth })).toEqual({ type: 'admitted' });
    expect(closed.admitJoin({ ...newcomer, auth })).toMatchObject({ type: 'refused', reason: 'replayed' });
    expect(closed.admitJoin({ ...newcomer, storageId: 'other', auth })).toMatchObject({ reason: 'bad-mac' });
  });

  it('refuses everything while the node has not learned its cluster', () => {
    const fresh = new PeerGate(new ClusterIdentity(dir), null, 'n2');
    expect(fresh.admit({ clusterId: OURS, fromTcpAddress: '127.0.0.1:8001', message: VOTE })).toBeNull();
  });

  it('admits a snapshot chunk only when sealed with the secret, of this cluster and addressed here', async () => {
    const receiving = await gate(SECRET);
    const senderIdentity = new ClusterIdentity(fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-gate-')));
    await senderIdentity.adopt(OURS);
    const sending = new PeerGate(senderIdentity, new PeerAuthenticator(SECRET), 'n1');
    const chunk = {
      fromTcpAddress: '127.0.0.1:8001',
      from: 'n1',
      to: 'n2',
      term: 3,
      snapshot: { index: 500, term: 3, members: [], membershipIndex: 1 },
      totalBytes: 4,
      offset: 0,
      data: 'AAAA',
    };
    expect(receiving.admitSnapshotChunk(sending.sealSnapshotChunk(chunk))).toBe(true);
    expect(receiving.admitSnapshotChunk({ ...sending.sealSnapshotChunk(chunk), data: 'BBBB' })).toBe(false);
    expect(receiving.admitSnapshotChunk({ ...chunk, clusterId: OURS })).toBe(false);
    expect(receiving.admitSnapshotChunk(sending.sealSnapshotChunk({ ...chunk, to: 'n3' }))).toBe(false);
    const foreign = new ClusterIdentity(fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-gate-')));
    await foreign.adopt(THEIRS);
    expect(
      receiving.admitSnapshotChunk(
        new PeerGate(foreign, new PeerAuthenticator(SECRET), 'n1').sealSnapshotChunk(chunk),
      ),
    ).toBe(false);
    expect(refusals).toEqual(['bad-mac', 'unauthenticated', 'misdirected', 'other-cluster']);
  });
});
