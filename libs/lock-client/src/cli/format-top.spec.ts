import type { ClusterStatus, LockActivityResponse } from '@app/protocol';
import { formatStatusTable, formatTop } from './format-top';
import { humanDuration } from './text-table';
import { defined } from '../../test/defined';

const ME = '2b1f7f3e-0c56-5d0a-9a57-3f7d2c1e8b40';
const OTHER = '9d3c1a0e-7b2f-5e4d-8c6a-1f0e2d3c4b5a';

const CLUSTER = '0b5c8f1e-2d3a-4b6c-8d9e-0f1a2b3c4d5e';

const status: ClusterStatus = {
  id: 'n1',
  clusterId: CLUSTER,
  peerAuthentication: 'hmac-sha256',
  role: 'leader',
  term: 3,
  leaderId: 'n1',
  commitIndex: 40,
  appliedIndex: 40,
  lastIndex: 41,
  members: [
    {
      id: 'n1',
      tcpAddress: '127.0.0.1:8001',
      httpAddress: '127.0.0.1:3001',
      storageId: 'storage-x',
      role: 'leader',
      matchIndex: 41,
      lag: 0,
    },
    {
      id: 'n2',
      tcpAddress: '127.0.0.1:8002',
      httpAddress: '127.0.0.1:3002',
      storageId: 'storage-x',
      role: 'follower',
      matchIndex: 38,
      lag: 3,
    },
  ],
};

describe('formatStatusTable', () => {
  it('prints the log figures and the members as aligned columns', () => {
    expect(formatStatusTable(status).split('\n')).toEqual([
      'node n1: leader, term 3, leader n1',
      `cluster ${CLUSTER}`,
      'log: last index 41, commit 40, applied 40',
      'NODE  ROLE      TCP             HTTP            MATCH  LAG',
      'n1*   leader    127.0.0.1:8001  127.0.0.1:3001     41    0',
      'n2    follower  127.0.0.1:8002  127.0.0.1:3002     38    3',
    ]);
  });

  it('says when the node has not learned its cluster yet, and when its peer traffic is unauthenticated', () => {
    const lines = formatStatusTable({ ...status, clusterId: null, peerAuthentication: 'none' }).split('\n');
    expect(lines[1]).toBe(
      'cluster unknown (not joined yet), peer traffic UNAUTHENTICATED (no cluster secret)',
    );
  });

  it('adds the snapshot when the node reports one', () => {
    expect(formatStatusTable({ ...status, snapshotIndex: 30, snapshotTerm: 2 } as ClusterStatus)).toContain(
      'log: last index 41, commit 40, applied 40; snapshot at index 30 (term 2)',
    );
  });
});

describe('formatStatusTable with compaction figures', () => {
  it('adds the first log index and the WAL size', () => {
    expect(
      formatStatusTable({ ...status, snapshotIndex: 30, firstLogIndex: 12, walBytes: 3 * 1024 * 1024 }),
    ).toContain(
      'log: last index 41, commit 40, applied 40; snapshot at index 30; first log index 12; WAL 3.0 MiB',
    );
  });
});

describe('formatTop', () => {
  const response: LockActivityResponse = {
    servedBy: 'n2',
    role: 'follower',
    term: 3,
    leaderId: 'n1',
    commitIndex: 40,
    appliedIndex: 40,
    nowMs: 100_000,
    held: 1,
    waiters: 2,
    sessions: 0,
    busiest: [
      {
        name: 'ledger',
        grants: 12,
        holds: 11,
        holdMsTotal: 5500,
        holdMsMax: 2000,
        waits: 4,
        waitMsTotal: 800,
        waitMsMax: 300,
        owner: ME,
        fencingToken: 39,
        grantedAtMs: 95_500,
        waiting: 2,
      },
      {
        name: 'report',
        grants: 1,
        holds: 1,
        holdMsTotal: 65_000,
        holdMsMax: 65_000,
        waits: 0,
        waitMsTotal: 0,
        waitMsMax: 0,
        owner: null,
        fencingToken: null,
        grantedAtMs: null,
        waiting: 0,
      },
    ],
  };

  it('shows each busy lock with holder, hold and wait times', () => {
    const lines = formatTop(response, ME).split('\n');
    expect(lines[0]).toBe(
      'n2 (follower, term 3, leader n1)  commit 40  applied 40  |  held 1  waiting 2  sessions 0',
    );
    expect(lines[2]).toMatch(/^LOCK\s+GRANTS\s+HOLDER\s+TOKEN\s+HELD FOR\s+WAITING\s+HOLD AVG/);
    expect(defined(lines[3], 'the first lock row').split(/\s{2,}/)).toEqual([
      'ledger',
      '12',
      'you',
      '39',
      '4.5 s',
      '2',
      '500 ms',
      '2.0 s',
      '200 ms',
      '300 ms',
    ]);
    expect(defined(lines[4], 'the second lock row').split(/\s{2,}/)).toEqual([
      'report',
      '1',
      '-',
      '-',
      '-',
      '0',
      '1m 5s',
      '1m 5s',
      '-',
      '-',
    ]);
    expect(
      formatTop(
        { ...response, busiest: [{ ...defined(response.busiest[0], 'a busy lock'), owner: OTHER }] },
        ME,
      ),
    ).toContain(OTHER.slice(0, 8));
  });

  it('says so when nothing was granted yet', () => {
    expect(formatTop({ ...response, busiest: [] }, ME)).toContain(
      'no lock has been granted since n2 started',
    );
  });
});

describe('humanDuration', () => {
  it.each([
    [0, '0 ms'],
    [999, '999 ms'],
    [4200, '4.2 s'],
    [42_000, '42 s'],
    [190_000, '3m 10s'],
    [7_500_000, '2h 5m'],
  ])('%d ms reads %s', (ms, text) => expect(humanDuration(ms)).toBe(text));
});
