import { BadRequestException, ConflictException, ServiceUnavailableException } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { outcomeOfError, outcomeOfRpcValue, outcomeOfStatus } from './request-outcome';

describe('request outcomes', () => {
  it('maps HTTP statuses: 409 refused, 503 unavailable, other 4xx rejected', () => {
    expect([200, 201, 409, 400, 404, 413, 503, 500].map(outcomeOfStatus)).toEqual([
      'ok',
      'ok',
      'refused',
      'rejected',
      'rejected',
      'rejected',
      'unavailable',
      'error',
    ]);
  });

  it('counts a TCP refusal (acquired or released false) as refused', () => {
    expect(outcomeOfRpcValue({ name: 'x', acquired: false })).toBe('refused');
    expect(outcomeOfRpcValue({ name: 'x', released: false })).toBe('refused');
    expect(outcomeOfRpcValue({ name: 'x', acquired: true })).toBe('ok');
    expect(outcomeOfRpcValue([])).toBe('ok');
  });

  it('maps thrown errors by their HTTP status or RPC code', () => {
    expect(outcomeOfError(new ConflictException())).toBe('refused');
    expect(outcomeOfError(new BadRequestException())).toBe('rejected');
    expect(outcomeOfError(new ServiceUnavailableException())).toBe('unavailable');
    expect(outcomeOfError(new RpcException({ code: 'bad_request', message: 'x' }))).toBe('rejected');
    expect(outcomeOfError(new RpcException({ code: 'not_leader', message: 'x' }))).toBe('unavailable');
    expect(outcomeOfError(new Error('boom'))).toBe('error');
  });
});
