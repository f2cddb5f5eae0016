import { HttpException } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { isRpcErrorBody } from '@app/protocol';
import type { RequestOutcome } from './node-metrics';

/** An HTTP status as a request outcome: 409 is a refusal (held by another), 503 a retry later. */
export function outcomeOfStatus(status: number): RequestOutcome {
  if (status < 400) return 'ok';
  if (status === 409) return 'refused';
  if (status === 503) return 'unavailable';
  if (status < 500) return 'rejected';
  return 'error';
}

/** A TCP answer as an outcome: refusals are normal answers there, errors are RPC error bodies. */
export function outcomeOfRpcValue(value: unknown): RequestOutcome {
  if (typeof value !== 'object' || value === null) return 'ok';
  const answer = value as { acquired?: unknown; released?: unknown };
  return answer.acquired === false || answer.released === false ? 'refused' : 'ok';
}

export function outcomeOfError(error: unknown): RequestOutcome {
  if (error instanceof HttpException) return outcomeOfStatus(error.getStatus());
  const body: unknown = error instanceof RpcException ? error.getError() : error;
  if (!isRpcErrorBody(body)) return 'error';
  if (body.code === 'bad_request' || body.code === 'not_found') return 'rejected';
  return 'unavailable';
}
