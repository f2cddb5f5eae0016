import {
  BadRequestException,
  HttpException,
  NotFoundException,
  ServiceUnavailableException,
} from '@nestjs/common';
import { isLockApiError, type LockApiError, type LockApiResult } from '../lock-api-error';

/** Maps a LockApiError to its HTTP status: 400, 404 or 503 (ARCHITECTURE.md, "The consistency contract"). */
export function toHttpException(error: LockApiError): HttpException {
  switch (error.type) {
    case 'badRequest':
      return new BadRequestException(error.message);
    case 'notFound':
      return new NotFoundException(error.message);
    case 'notLeader':
      return new ServiceUnavailableException(
        `leadership is moving${error.leader ? ` to ${error.leader.id}` : ''}; retry`,
      );
    case 'noLeader':
      return new ServiceUnavailableException('no leader is known right now; retry shortly');
    case 'unavailable':
      return new ServiceUnavailableException(error.reason);
  }
}

export function unwrapForHttp<T>(result: LockApiResult<T>): T {
  if (isLockApiError(result)) throw toHttpException(result);
  return result.value;
}
