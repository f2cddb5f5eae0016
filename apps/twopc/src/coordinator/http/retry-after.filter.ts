import { Catch, ServiceUnavailableException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';

/** Every 503 says when to try again: a standby may take over, a replica may reconnect. */
@Catch(ServiceUnavailableException)
export class RetryAfterFilter implements ExceptionFilter {
  catch(exception: ServiceUnavailableException, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    response.setHeader('Retry-After', '1');
    response.status(exception.getStatus()).json(exception.getResponse());
  }
}
