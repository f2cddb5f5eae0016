import { validateRaftConfig, type RaftConfig } from './raft-config';
import { RaftNode } from './raft-node';
import { SeededRandom } from './random';
import { EMPTY_HARD_STATE } from './hard-state';

const valid: RaftConfig = {
  id: 'n1',
  storageId: 'n1-disk',
  electionTimeoutMinTicks: 10,
  electionTimeoutMaxTicks: 20,
  heartbeatIntervalTicks: 2,
  maxEntriesPerMessage: 64,
};

describe('validateRaftConfig', () => {
  it('accepts a sound configuration, and equal election timeout bounds', () => {
    expect(validateRaftConfig(valid)).toBeNull();
    expect(validateRaftConfig({ ...valid, electionTimeoutMaxTicks: 10 })).toBeNull();
    expect(validateRaftConfig({ ...valid, heartbeatIntervalTicks: 1, maxEntriesPerMessage: 1 })).toBeNull();
  });

  it.each([
    [{ storageId: '' }, 'storageId must not be empty'],
    [{ heartbeatIntervalTicks: 0 }, 'heartbeatIntervalTicks must be at least 1'],
    // an election timeout no longer than a heartbeat makes followers campaign between heartbeats
    [{ electionTimeoutMinTicks: 2 }, 'electionTimeoutMinTicks must exceed heartbeatIntervalTicks'],
    [{ electionTimeoutMaxTicks: 9 }, 'electionTimeoutMaxTicks must be at least electionTimeoutMinTicks'],
    [{ maxEntriesPerMessage: 0 }, 'maxEntriesPerMessage must be at least 1'],
  ])('refuses %j: %s', (change, message) => {
    expect(validateRaftConfig({ ...valid, ...change })).toBe(message);
  });

  it('a node will not start with an invalid configuration', () => {
    const recovered = { hardState: EMPTY_HARD_STATE, entries: [] };
    expect(
      () => new RaftNode({ ...valid, heartbeatIntervalTicks: 0 }, new SeededRandom(1), recovered),
    ).toThrow('invalid Raft configuration: heartbeatIntervalTicks must be at least 1');
  });
});
