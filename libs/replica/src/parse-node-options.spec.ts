import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseNodeOptions } from './parse-node-options';

describe('parseNodeOptions', () => {
  it('reads the named options', () => {
    const options = parseNodeOptions(
      'follower',
      ['--id', 'n2', '--port', '8002', '--join', 'localhost:8001'],
      {},
    );
    expect(options).toMatchObject({ id: 'n2', port: 8002, httpPort: 3002, join: '127.0.0.1:8001' });
  });

  it('reads the peers and the cluster secret, from a file or the environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-secret-'));
    const file = join(dir, 'secret');
    writeFileSync(file, 'sixteen-chars-or-more\n');
    try {
      const fromFile = parseNodeOptions(
        'leader',
        ['--peers', 'localhost:8002, 127.0.0.1:8003', '--cluster-secret-file', file],
        {},
      );
      expect(fromFile).toMatchObject({
        peers: ['127.0.0.1:8002', '127.0.0.1:8003'],
        clusterSecret: 'sixteen-chars-or-more',
      });
      const fromEnv = parseNodeOptions('leader', [], {
        LATCHKEY_CLUSTER_SECRET: 'x'.repeat(16),
        LATCHKEY_PEERS: '',
      });
      expect(fromEnv).toMatchObject({ peers: [], clusterSecret: 'x'.repeat(16) });
      expect(parseNodeOptions('leader', [], { LATCHKEY_CLUSTER_SECRET: '' }).clusterSecret).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [['--peers', '127.0.0.1:8002,nowhere'], /--peers "nowhere" must be host:port/],
    [['--id', 'n 2'], /--id "n 2" must be 1-64 of A-Z a-z 0-9 \. _ -/],
    [['--id', 'x'.repeat(65)], /--id "x+" must be 1-64/],
    [['--join', 'nowhere'], /--join "nowhere" must be host:port/],
    [['--join', '127.0.0.1:70000'], /--join "127.0.0.1:70000" must be host:port/],
  ])('refuses %j with the shared rule and its wording', (argv, message) => {
    expect(() => parseNodeOptions('leader', argv, {})).toThrow(message);
  });

  it('advertises another TCP address when told to, else its own', () => {
    expect(parseNodeOptions('leader', ['--advertise', 'localhost:9001'], {}).advertiseTcpAddress).toBe(
      '127.0.0.1:9001',
    );
    expect(parseNodeOptions('leader', [], {}).advertiseTcpAddress).toBeNull();
    expect(() => parseNodeOptions('leader', ['--advertise', 'x'], {})).toThrow(
      /--advertise "x" must be host:port/,
    );
  });

  it('refuses timings with which followers would campaign between heartbeats', () => {
    expect(() => parseNodeOptions('leader', ['--heartbeat-ms', '2000'], {})).toThrow(
      'electionTimeoutMin must exceed heartbeatInterval (--tick-ms 10, --heartbeat-ms 2000, --election-timeout-min-ms 1000, --election-timeout-max-ms 2000)',
    );
    expect(() =>
      parseNodeOptions('leader', [], {
        LATCHKEY_ELECTION_TIMEOUT_MIN_MS: '800',
        LATCHKEY_ELECTION_TIMEOUT_MAX_MS: '500',
      }),
    ).toThrow(/electionTimeoutMax must be at least electionTimeoutMin/);
    expect(parseNodeOptions('leader', ['--heartbeat-ms', '50'], {}).heartbeatMs).toBe(50);
  });

  it('refuses a cluster secret too short to be one', () => {
    expect(() => parseNodeOptions('leader', [], { LATCHKEY_CLUSTER_SECRET: 'short' })).toThrow(/at least 16/);
  });
});
