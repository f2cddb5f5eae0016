import { PeerAuthenticator, type SealContext } from './peer-authenticator';

const CONTEXT: SealContext = {
  scope: 'message',
  clusterId: '0b5c8f1e-2d3a-4b6c-8d9e-0f1a2b3c4d5e',
  sender: '127.0.0.1:8001',
};
const BODY = { type: 'requestVote', from: 'n1', to: 'n2', term: 3, lastLogIndex: 7, lastLogTerm: 2 };
const SECRET = Buffer.from('a secret of thirty-two characters');

describe('PeerAuthenticator', () => {
  it('verifies its own seal over the same body, also after a JSON round trip', () => {
    const sender = new PeerAuthenticator(SECRET);
    const receiver = new PeerAuthenticator(SECRET);
    const auth = sender.seal(CONTEXT, BODY);
    const received = JSON.parse(JSON.stringify({ auth, body: BODY })) as { auth: typeof auth; body: unknown };
    expect(receiver.verify(CONTEXT, received.auth, received.body)).toBe(true);
  });

  it('numbers its seals strictly upwards within one random epoch', () => {
    const sender = new PeerAuthenticator(SECRET);
    const first = sender.seal(CONTEXT, BODY);
    const second = sender.seal(CONTEXT, BODY);
    expect(second.seq).toBe(first.seq + 1);
    expect(second.epoch).toBe(first.epoch);
    expect(new PeerAuthenticator(SECRET).seal(CONTEXT, BODY).epoch).not.toBe(first.epoch);
  });

  it.each<[string, (auth: ReturnType<PeerAuthenticator['seal']>) => [SealContext, unknown, object]]>([
    ['another secret', (auth) => [CONTEXT, BODY, auth]],
    ['an altered body', (auth) => [CONTEXT, { ...BODY, term: 4 }, auth]],
    [
      'another cluster',
      (auth) => [{ ...CONTEXT, clusterId: CONTEXT.clusterId.replace('0b', '1b') }, BODY, auth],
    ],
    ['another sender', (auth) => [{ ...CONTEXT, sender: '127.0.0.1:8009' }, BODY, auth]],
    ['another scope', (auth) => [{ ...CONTEXT, scope: 'join' }, BODY, auth]],
    ['an altered sequence number', (auth) => [CONTEXT, BODY, { ...auth, seq: auth.seq + 1 }]],
    ['an altered send time', (auth) => [CONTEXT, BODY, { ...auth, sentAtMs: auth.sentAtMs + 1 }]],
    ['a truncated MAC', (auth) => [CONTEXT, BODY, { ...auth, mac: auth.mac.slice(0, 20) }]],
    ['a MAC that is not base64', (auth) => [CONTEXT, BODY, { ...auth, mac: '!'.repeat(44) }]],
  ])('refuses a seal checked with %s', (what, change) => {
    const auth = new PeerAuthenticator(SECRET).seal(CONTEXT, BODY);
    const [context, body, changed] = change(auth);
    const receiver = new PeerAuthenticator(what === 'another secret' ? Buffer.from('x'.repeat(32)) : SECRET);
    expect(receiver.verify(context, changed as typeof auth, body)).toBe(false);
  });
});
