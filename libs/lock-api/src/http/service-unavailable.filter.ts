import { Catch, ServiceUnavailableException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';

const RETRY_AFTER_SECONDS = '1';

/** Every 503 tells the client when to retry (ARCHITECTURE.md, "The consistency contract"). */
@Catch(ServiceUnavailableException)
export class ServiceUnavailableFilter implements ExceptionFilter {
  catch(exception: ServiceUnavailableException, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    response.setHeader('Retry-After', RETRY_AFTER_SECONDS);
    response.status(exception.getStatus()).json(exception.getResponse());
  }
}
