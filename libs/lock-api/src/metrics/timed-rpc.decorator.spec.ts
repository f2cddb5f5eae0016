import { RpcException } from '@nestjs/microservices';
import { MessagePattern } from '@nestjs/microservices';
import { PATTERN_METADATA } from '@nestjs/microservices/constants';
import { NodeMetrics } from './node-metrics';
import { TimedRpc } from './timed-rpc.decorator';

class Handlers {
  readonly metrics = new NodeMetrics('n1');

  @MessagePattern('locks.preempt')
  @TimedRpc()
  preempt(answer: object): Promise<object> {
    return Promise.resolve(answer);
  }

  @MessagePattern('locks.release')
  @TimedRpc()
  release(): Promise<object> {
    throw new RpcException({ code: 'bad_request', message: 'no' });
  }
}

async function requestCount(metrics: NodeMetrics, labels: string): Promise<number> {
  const text = await metrics.registry.metrics();
  const line = text
    .split('\n')
    .find((l) => l.startsWith('latchkey_request_duration_seconds_count{') && l.includes(labels));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

describe('TimedRpc', () => {
  it('keeps the pattern on the wrapped handler, and counts each call with its outcome', async () => {
    const handlers = new Handlers();
    expect(Reflect.getMetadata(PATTERN_METADATA, Handlers.prototype.preempt)).toEqual(['locks.preempt']);
    await expect(handlers.preempt({ acquired: true })).resolves.toEqual({ acquired: true });
    await expect(handlers.preempt({ acquired: false })).resolves.toEqual({ acquired: false });
    await expect(handlers.release()).rejects.toThrow(RpcException);
    expect(await requestCount(handlers.metrics, 'operation="preempt",outcome="ok"')).toBe(1);
    expect(await requestCount(handlers.metrics, 'operation="preempt",outcome="refused"')).toBe(1);
    expect(await requestCount(handlers.metrics, 'operation="release",outcome="rejected"')).toBe(1);
  });
});
