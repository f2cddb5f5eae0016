import { NodeMetrics } from './node-metrics';
import { outcomeOfError, outcomeOfRpcValue } from './request-outcome';

type RpcHandler = (...args: unknown[]) => Promise<unknown>;

/**
 * Times a TCP handler into the request metrics, as RequestMetricsInterceptor does for
 * HTTP, without Nest's interceptor chain: that chain costs every call an AsyncResource and
 * an Observable, a large share of a write's CPU on the hottest path there is. The class
 * must have a `metrics` property. List it below the pattern decorator, so that the pattern
 * is recorded on the wrapped function.
 */
export function TimedRpc(): MethodDecorator {
  return (_target, key, descriptor: PropertyDescriptor) => {
    const handler = descriptor.value as RpcHandler;
    const operation = String(key);
    const timed = function (this: { metrics: NodeMetrics }, ...args: unknown[]): Promise<unknown> {
      const startMs = performance.now();
      const observe = (outcome: Parameters<NodeMetrics['observeRequest']>[2]) =>
        this.metrics.observeRequest('tcp', operation, outcome, (performance.now() - startMs) / 1000);
      // A handler that throws before its first await (a malformed payload) is timed too.
      return new Promise<unknown>((resolve) => resolve(handler.apply(this, args))).then(
        (value) => {
          observe(outcomeOfRpcValue(value));
          return value;
        },
        (error: unknown) => {
          observe(outcomeOfError(error));
          throw error;
        },
      );
    };
    Object.defineProperty(timed, 'name', { value: handler.name });
    descriptor.value = timed;
  };
}
