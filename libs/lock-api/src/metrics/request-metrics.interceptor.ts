import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { SSE_METADATA } from '@nestjs/common/constants';
import type { Response } from 'express';
import { tap, type Observable } from 'rxjs';
import { NodeMetrics } from './node-metrics';
import { outcomeOfError, outcomeOfRpcValue, outcomeOfStatus } from './request-outcome';

/**
 * Times every client request over HTTP and TCP, labelled by handler name (a fixed set)
 * and outcome. Streams (SSE, TCP watch) are left out: their length is the viewer's.
 * Bound to the client-facing controllers rather than globally: replication between peers
 * is not a client request, and a global interceptor would cost every peer message Nest's
 * interceptor chain (an AsyncResource and an Observable per message).
 */
@Injectable()
export class RequestMetricsInterceptor implements NestInterceptor {
  constructor(private readonly metrics: NodeMetrics) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const handler = context.getHandler();
    const transport = context.getType<'http' | 'rpc'>();
    if (
      Reflect.getMetadata(SSE_METADATA, handler) === true ||
      (transport === 'rpc' && handler.name === 'watch') ||
      (transport !== 'http' && transport !== 'rpc')
    )
      return next.handle();
    const startMs = performance.now();
    const operation = handler.name;
    const seconds = () => (performance.now() - startMs) / 1000;
    return next.handle().pipe(
      tap({
        next: (value: unknown) => {
          const outcome =
            transport === 'http'
              ? outcomeOfStatus(context.switchToHttp().getResponse<Response>().statusCode)
              : outcomeOfRpcValue(value);
          this.metrics.observeRequest(transport === 'http' ? 'http' : 'tcp', operation, outcome, seconds());
        },
        error: (error: unknown) =>
          this.metrics.observeRequest(
            transport === 'http' ? 'http' : 'tcp',
            operation,
            outcomeOfError(error),
            seconds(),
          ),
      }),
    );
  }
}
