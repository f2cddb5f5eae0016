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

  it.each([
    [['--id', 'n 2'], /--id "n 2" must be 1-64 of A-Z a-z 0-9 \. _ -/],
    [['--id', 'x'.repeat(65)], /--id "x+" must be 1-64/],
    [['--join', 'nowhere'], /--join "nowhere" must be host:port/],
    [['--join', '127.0.0.1:70000'], /--join "127.0.0.1:70000" must be host:port/],
  ])('refuses %j with the shared rule and its wording', (argv, message) => {
    expect(() => parseNodeOptions('leader', argv, {})).toThrow(message);
  });
});
