import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeClusterId } from '@app/wal';
import { applyBootstrapRule } from './bootstrap-rule';
import { parseNodeOptions } from './parse-node-options';

const CLUSTER = '0b5c8f1e-2d3a-4b6c-8d9e-0f1a2b3c4d5e';

describe('applyBootstrapRule', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-bootstrap-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const leader = (...argv: string[]) => parseNodeOptions('leader', ['--data-dir', dir, ...argv], {});

  it('bootstraps without peers (the short form on a fresh machine), asking no one', async () => {
    const probe = jest.fn();
    const options = await applyBootstrapRule(leader(), probe);
    expect(options).toMatchObject({ bootstrap: true, join: null });
    expect(probe).not.toHaveBeenCalled();
  });

  it('joins through the peer that belongs to a cluster instead of bootstrapping a second one', async () => {
    const answers: Record<string, string | null> = { '127.0.0.1:8002': null, '127.0.0.1:8003': CLUSTER };
    const options = await applyBootstrapRule(leader('--peers', 'localhost:8002,127.0.0.1:8003'), (peer) =>
      Promise.resolve(answers[peer] ?? null),
    );
    expect(options).toMatchObject({ bootstrap: false, join: '127.0.0.1:8003' });
  });

  it('bootstraps when no peer belongs to a cluster (the first start of all nodes)', async () => {
    const options = await applyBootstrapRule(leader('--peers', '127.0.0.1:8002'), () =>
      Promise.resolve(null),
    );
    expect(options).toMatchObject({ bootstrap: true, join: null });
  });

  it('asks no one when its data directory belongs to a cluster already', async () => {
    await writeClusterId(dir, CLUSTER);
    const probe = jest.fn();
    expect(await applyBootstrapRule(leader('--peers', '127.0.0.1:8002'), probe)).toMatchObject({
      bootstrap: true,
    });
    expect(probe).not.toHaveBeenCalled();
  });
});
