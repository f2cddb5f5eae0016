import { Logger } from '@nestjs/common';
import type { LockCommand } from '@app/lock-table';
import type { LogEntry } from '@app/replicated-log';
import { AppliedEntriesPublisher, ReadModelApplyError, ReplicaService, type NodeOptions } from '@app/replica';
import { LockOwnersReadModel } from '../lock-owners.read-model';
import { LockWatchHub } from '../lock-watch.hub';
import { WaitingPreempts } from '../waiting-preempts';
import { LockOwnersProjection } from './lock-owners.projection';

const CLIENT = '5f0c8a1e-7b9d-5c3e-9a41-0d2b6f7e8c11';

const OPTIONS: NodeOptions = {
  id: 'n1',
  host: '127.0.0.1',
  port: 8001,
  httpPort: 3001,
  dataDir: '/nonexistent',
  join: null,
  bootstrap: false,
  peers: [],
  clusterSecret: null,
  advertiseTcpAddress: null,
  tickMs: 10,
  heartbeatMs: 100,
  electionTimeoutMinMs: 1000,
  electionTimeoutMaxMs: 2000,
  requestTimeoutMs: 5000,
  maxBodyBytes: 16384,
  snapshotEvery: 10_000,
  walSegmentBytes: 64 * 1024 * 1024,
};

function preemptEntry(index: number, name: string): LogEntry<LockCommand> {
  return {
    index,
    term: 1,
    leaderTimeMs: 0,
    body: { type: 'command', command: { type: 'preempt', name, clientId: CLIENT } },
  };
}

describe('applied entries reach the read model in the apply step', () => {
  let publisher: AppliedEntriesPublisher;
  let readModel: LockOwnersReadModel;

  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    publisher = new AppliedEntriesPublisher();
    readModel = new LockOwnersReadModel();
    new LockOwnersProjection(publisher, readModel, new LockWatchHub(), new WaitingPreempts()).onModuleInit();
  });

  afterEach(() => jest.restoreAllMocks());

  it('updates the read model before apply returns', () => {
    const replica = new ReplicaService(OPTIONS, publisher);
    replica.apply([
      preemptEntry(1, 'build-lock'),
      { index: 2, term: 1, leaderTimeMs: 0, body: { type: 'noop' } },
    ]);
    expect(readModel.get('build-lock')).toEqual({ name: 'build-lock', owner: CLIENT, fencingToken: 1 });
    expect(readModel.appliedIndex).toBe(2);
  });

  it('does not swallow a throwing projection: the error leaves apply, naming the entry', () => {
    jest.spyOn(readModel, 'grant').mockImplementation(() => {
      throw new Error('the read model is broken');
    });
    const replica = new ReplicaService(OPTIONS, publisher);
    const error = thrownBy(() => replica.apply([preemptEntry(7, 'build-lock')]));
    expect(error).toBeInstanceOf(ReadModelApplyError);
    expect((error as ReadModelApplyError).message).toMatch(
      /^LockOwnersProjection failed to apply log entry 7: the read model is broken; stopping this node/,
    );
    expect(Logger.prototype.error).toHaveBeenCalledWith(expect.stringContaining('log entry 7'));
    // Nothing pretends the entry was reflected.
    expect(readModel.appliedIndex).toBe(0);
  });
});

function thrownBy(action: () => void): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected it to throw');
}
