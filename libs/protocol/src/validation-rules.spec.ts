import { HOST_PORT } from './address';
import { CLIENT_ID } from './client-id';
import { LOCK_NAME, LOCK_NAME_PREFIX } from './lock-name';
import { MEMBER_ID } from './member-id';
import { LOG_INDEX, REQUEST_ID, TTL_MS, WAIT_MS } from './request-limits';
import { SESSION_ID } from './session-id';
import type { ValidationRule } from './validation-rule';

const cases: Array<[string, ValidationRule<unknown>, unknown[], unknown[]]> = [
  [
    'LOCK_NAME',
    LOCK_NAME,
    ['a', 'build-lock', 'fork:3', 'A.b_c-d:e', 'x'.repeat(128)],
    ['', 'x'.repeat(129), 'a b', 'a/b', 'é', 'a\n', 7, null, undefined],
  ],
  ['LOCK_NAME_PREFIX', LOCK_NAME_PREFIX, ['', 'fork:', 'x'.repeat(128)], ['x'.repeat(129), 'a/b', 3]],
  [
    'CLIENT_ID',
    CLIENT_ID,
    ['5f0c8a1e-7b9d-5c3e-9a41-0d2b6f7e8c11', '5F0C8A1E-7B9D-5C3E-9A41-0D2B6F7E8C11'],
    ['5f0c8a1e7b9d5c3e9a410d2b6f7e8c11', '5f0c8a1e-7b9d-5c3e-9a41-0d2b6f7e8c1', 'not-a-uuid', 1],
  ],
  [
    'SESSION_ID',
    SESSION_ID,
    ['9f2c4e6a8b0d1f3e5a7c9e1b3d5f7a9c'],
    ['9F2C4E6A8B0D1F3E5A7C9E1B3D5F7A9C', '9f2c4e6a8b0d1f3e5a7c9e1b3d5f7a9', 'abc', {}],
  ],
  ['MEMBER_ID', MEMBER_ID, ['n1', 'node-2.a_b', 'x'.repeat(64)], ['', 'x'.repeat(65), 'n:1', 'n 1', 1]],
  [
    'HOST_PORT',
    HOST_PORT,
    ['127.0.0.1:8001', 'localhost:1', 'example.org:65535', '8001'],
    ['127.0.0.1:0', '127.0.0.1:65536', 'host:', 'host:port', '', 8001],
  ],
  ['TTL_MS', TTL_MS, [1000, 10_000, 600_000], [999, 600_001, 1500.5, '2000', NaN, null]],
  ['WAIT_MS', WAIT_MS, [0, 300_000], [-1, 300_001, 0.5, '0']],
  ['REQUEST_ID', REQUEST_ID, [1, Number.MAX_SAFE_INTEGER], [0, -1, 1.5, Number.MAX_SAFE_INTEGER + 1, '1']],
  ['LOG_INDEX', LOG_INDEX, [0, 1, Number.MAX_SAFE_INTEGER], [-1, 0.5, Infinity, '3']],
];

describe('validation rules', () => {
  describe.each(cases)('%s', (_name, rule, valid, invalid) => {
    it.each(valid.map((value) => [value]))('accepts %p', (value) => {
      expect(rule.test(value)).toBe(true);
    });
    it.each(invalid.map((value) => [value]))('refuses %p', (value) => {
      expect(rule.test(value)).toBe(false);
    });
  });

  it('words each message once, naming the field', () => {
    expect(LOCK_NAME.message('name')).toBe('name must be 1-128 characters of A-Z a-z 0-9 . _ : -');
    expect(LOCK_NAME_PREFIX.message('prefix')).toBe(
      'prefix must be at most 128 characters of A-Z a-z 0-9 . _ : -',
    );
    expect(CLIENT_ID.message('clientId')).toBe('clientId must be a UUID');
    expect(SESSION_ID.message('sessionId')).toBe('sessionId must be 32 lowercase hex characters');
    expect(MEMBER_ID.message('id')).toBe('id must be 1-64 of A-Z a-z 0-9 . _ -');
    expect(HOST_PORT.message('tcpAddress')).toBe('tcpAddress must be host:port');
    expect(TTL_MS.message('ttlMs')).toBe('ttlMs must be an integer from 1000 to 600000');
    expect(WAIT_MS.message('waitMs')).toBe('waitMs must be an integer from 0 to 300000');
    expect(REQUEST_ID.message('requestId')).toBe('requestId must be a positive integer');
    expect(LOG_INDEX.message('minIndex')).toBe('minIndex must be a non-negative integer');
  });

  it('keeps the bounds the SDK and the Swagger document read', () => {
    expect([TTL_MS.min, TTL_MS.max, WAIT_MS.min, WAIT_MS.max]).toEqual([1000, 600_000, 0, 300_000]);
  });
});
