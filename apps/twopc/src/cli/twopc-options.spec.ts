import { CommanderError, InvalidArgumentError } from 'commander';
import { parseTwoPcOptions } from './twopc-options';

/** Commander prints its own usage errors; the spec only wants the thrown error. */
function quietly<T>(run: () => T): T {
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    return run();
  } finally {
    stderr.mockRestore();
  }
}

describe('parseTwoPcOptions', () => {
  it('is a service by default, and a demo once --rounds is given', () => {
    expect(parseTwoPcOptions([])).toEqual({
      role: 'service',
      options: {
        host: '127.0.0.1',
        sessionTtlMs: 3000,
        replicas: 3,
        httpPort: 4000,
        servers: [],
        dataDir: null,
        abortProbability: 0,
        voteTimeoutMs: 2000,
        decisionTimeoutMs: 2000,
        standbys: 1,
        rounds: 20,
        json: null,
        keepData: false,
      },
    });
    expect(parseTwoPcOptions(['--rounds', '5', '--json', 'out.json', '--keep-data'])).toMatchObject({
      role: 'demo',
      options: { rounds: 5, json: 'out.json', keepData: true },
    });
  });

  it('reads a replica with its peers, coordinators and servers', () => {
    const parsed = parseTwoPcOptions([
      '--role',
      'replica',
      '--id',
      'r1',
      '--port',
      '7001',
      '--servers',
      '127.0.0.1:8001, 127.0.0.1:8002',
      '--peers',
      'r2=127.0.0.1:7002,r3=127.0.0.1:7003',
      '--coordinators',
      'http://127.0.0.1:4000/,ftp://nope',
      '--abort-probability',
      '0.25',
    ]);
    expect(parsed).toEqual({
      role: 'replica',
      options: {
        host: '127.0.0.1',
        sessionTtlMs: 3000,
        id: 'r1',
        port: 7001,
        dataDir: './data/twopc/r1',
        servers: ['127.0.0.1:8001', '127.0.0.1:8002'],
        peers: new Map([
          ['r2', '127.0.0.1:7002'],
          ['r3', '127.0.0.1:7003'],
        ]),
        coordinators: ['http://127.0.0.1:4000'],
        abortProbability: 0.25,
        decisionTimeoutMs: 2000,
      },
    });
  });

  it('reads a coordinator, naming it after its port unless given an id', () => {
    expect(
      parseTwoPcOptions([
        '--role',
        'coordinator',
        '--servers',
        '127.0.0.1:8001',
        '--replica-addresses',
        'r1=127.0.0.1:7001',
        '--http-port',
        '4100',
        '--standby',
      ]),
    ).toEqual({
      role: 'coordinator',
      options: {
        host: '127.0.0.1',
        sessionTtlMs: 3000,
        id: 'c4100',
        httpPort: 4100,
        servers: ['127.0.0.1:8001'],
        replicas: new Map([['r1', '127.0.0.1:7001']]),
        logDir: './data/twopc/coordinators',
        voteTimeoutMs: 2000,
        standby: true,
      },
    });
  });

  it.each([
    [['--role', 'replica', '--port', '7001', '--servers', '127.0.0.1:1'], /needs --id/],
    [['--role', 'replica', '--id', 'r1', '--port', '7001'], /needs --servers/],
    [['--role', 'replica', '--id', 'r1', '--servers', '127.0.0.1:1'], /needs --port/],
    [['--role', 'coordinator', '--servers', '127.0.0.1:1'], /needs --replica-addresses/],
    [['--role', 'janitor'], /--role must be one of/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseTwoPcOptions(argv)).toThrow(InvalidArgumentError);
    expect(() => parseTwoPcOptions(argv)).toThrow(message);
  });

  it.each([
    ['--replicas', '0'],
    ['--replicas', '1.5'],
    ['--abort-probability', '1.5'],
    ['--abort-probability', ' '],
    ['--servers', 'nohost'],
    ['--peers', 'r2'],
    ['--peers', 'bad id=127.0.0.1:1'],
    ['--peers', 'r2=nohost'],
    ['--vote-timeout-ms', '10'],
  ])('refuses %s %j as a usage error', (flag, value) => {
    expect(() => quietly(() => parseTwoPcOptions([flag, value]))).toThrow(CommanderError);
  });
});
