import { CommanderError } from 'commander';
import { defaultClientId } from '../default-client-id';
import { parseCliArgs } from './cli-options';

const ID = '2b1f7f3e-0c56-5d0a-9a57-3f7d2c1e8b40';
const argv = (...args: string[]) => ['node', 'latchkey', ...args];

/** Commander writes its usage errors to stderr; keep the test output clean and capture them. */
function parseQuietly(args: string[]): CommanderError {
  const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    parseCliArgs(argv(...args));
  } catch (error) {
    expect(error).toBeInstanceOf(CommanderError);
    return error as CommanderError;
  } finally {
    write.mockRestore();
  }
  throw new Error(`expected ${args.join(' ')} to be refused`);
}

describe('parseCliArgs', () => {
  it('reads the node, the fallbacks, the options and the command words', () => {
    expect(
      parseCliArgs(
        argv(
          '127.0.0.1',
          '7001',
          '--nodes',
          '127.0.0.1:7002,127.0.0.1:7003',
          '--client-id',
          ID,
          '--timeout',
          '250',
          '--json',
          'preempt',
          'x',
          '--wait',
          '10',
        ),
      ),
    ).toEqual({
      nodes: ['127.0.0.1:7001', '127.0.0.1:7002', '127.0.0.1:7003'],
      clientId: ID,
      json: true,
      requestTimeoutMs: 250,
      words: ['preempt', 'x', '--wait', '10'],
    });
  });

  it('defaults to the uuid v5 client id, no timeout, and the interactive prompt', () => {
    expect(parseCliArgs(argv('localhost', '7001'))).toEqual({
      nodes: ['localhost:7001'],
      clientId: defaultClientId(),
      json: false,
      requestTimeoutMs: undefined,
      words: [],
    });
  });

  it.each([
    ['an invalid port', ['127.0.0.1', 'notaport']],
    ['an invalid fallback', ['127.0.0.1', '7001', '--nodes', 'nohostport']],
    ['an invalid client id', ['127.0.0.1', '7001', '--client-id', 'bob']],
    ['a zero timeout', ['127.0.0.1', '7001', '--timeout', '0']],
    ['a fractional timeout', ['127.0.0.1', '7001', '--timeout', '1.5']],
    ['a missing port', ['127.0.0.1']],
  ])('refuses %s', (_what, args) => {
    expect(parseQuietly(args).exitCode).not.toBe(0);
  });
});
