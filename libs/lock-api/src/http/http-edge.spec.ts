import {
  BadRequestException,
  NotFoundException,
  ServiceUnavailableException,
  type ArgumentsHost,
} from '@nestjs/common';
import type { MemberAddress } from '@app/protocol';
import { ok, type LockApiError } from '../lock-api-error';
import { toHttpException, unwrapForHttp } from './http-errors';
import { LockNamePipe } from './lock-name.pipe';
import { ServiceUnavailableFilter } from './service-unavailable.filter';
import { SessionIdPipe } from './session-id.pipe';

const LEADER: MemberAddress = { id: 'n1', httpAddress: '127.0.0.1:1', tcpAddress: '127.0.0.1:2' };

describe('the HTTP edge', () => {
  describe('toHttpException', () => {
    it.each<[LockApiError, new (...args: never[]) => Error, string]>([
      [{ type: 'badRequest', message: 'bad name' }, BadRequestException, 'bad name'],
      [{ type: 'notFound', message: 'session not found' }, NotFoundException, 'session not found'],
      [
        { type: 'notLeader', leader: LEADER },
        ServiceUnavailableException,
        'leadership is moving to n1; retry',
      ],
      [{ type: 'notLeader', leader: null }, ServiceUnavailableException, 'leadership is moving; retry'],
      [{ type: 'noLeader' }, ServiceUnavailableException, 'no leader is known right now; retry shortly'],
      [{ type: 'unavailable', reason: 'no quorum' }, ServiceUnavailableException, 'no quorum'],
    ])('maps %j', (error, type, message) => {
      const exception = toHttpException(error);
      expect(exception).toBeInstanceOf(type);
      expect(exception.message).toBe(message);
    });

    it('unwraps a success and throws an error', () => {
      expect(unwrapForHttp(ok(3))).toBe(3);
      expect(() => unwrapForHttp({ type: 'noLeader' })).toThrow(ServiceUnavailableException);
    });
  });

  describe('pipes', () => {
    it('passes a valid lock name and refuses an invalid one with 400', () => {
      const pipe = new LockNamePipe();
      expect(pipe.transform('build:main-1')).toBe('build:main-1');
      expect(() => pipe.transform('no spaces')).toThrow(BadRequestException);
      expect(() => pipe.transform('')).toThrow(/name/);
    });

    it('passes a valid session id and refuses an invalid one with 400', () => {
      const pipe = new SessionIdPipe();
      const id = '0123456789abcdef0123456789abcdef';
      expect(pipe.transform(id)).toBe(id);
      expect(() => pipe.transform('not-a-session')).toThrow(BadRequestException);
      expect(() => pipe.transform(id.toUpperCase())).toThrow(/sessionId/);
    });
  });

  describe('ServiceUnavailableFilter', () => {
    it('answers 503 with Retry-After and the exception body', () => {
      const sent: { headers: Record<string, string>; status?: number; body?: unknown } = { headers: {} };
      const response = {
        setHeader: (name: string, value: string) => (sent.headers[name] = value),
        status: (status: number) => {
          sent.status = status;
          return response;
        },
        json: (body: unknown) => (sent.body = body),
      };
      const host = { switchToHttp: () => ({ getResponse: () => response }) } as unknown as ArgumentsHost;
      new ServiceUnavailableFilter().catch(new ServiceUnavailableException('no quorum'), host);
      expect(sent).toEqual({
        headers: { 'Retry-After': '1' },
        status: 503,
        body: { statusCode: 503, message: 'no quorum', error: 'Service Unavailable' },
      });
    });
  });
});
