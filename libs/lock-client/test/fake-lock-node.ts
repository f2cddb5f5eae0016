import { Controller, Inject, Module } from '@nestjs/common';
import type { INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, Payload, Transport } from '@nestjs/microservices';
import { MessagePatterns } from '@app/protocol';
import type { MessagePattern as Pattern } from '@app/protocol';
import { createServer } from 'node:net';

/** Decides the answer to one request; may throw an RpcException or return a never-ending Observable. */
export type FakeHandler = (pattern: Pattern, payload: unknown) => unknown;

export interface FakeCall {
  pattern: Pattern;
  payload: unknown;
}

/** An in-process Nest TCP microservice that answers the lock patterns with canned replies. */
export interface FakeLockNode {
  address: string;
  calls: FakeCall[];
  /** Replaced by tests to change how the node answers. */
  handler: FakeHandler;
  close(): Promise<void>;
}

const NODE = Symbol('FakeLockNode');

@Controller()
class FakeLockController {
  constructor(@Inject(NODE) private readonly node: FakeLockNode) {}

  @MessagePattern(MessagePatterns.preempt)
  preempt(@Payload() payload: unknown): unknown {
    return this.answer(MessagePatterns.preempt, payload);
  }

  @MessagePattern(MessagePatterns.release)
  release(@Payload() payload: unknown): unknown {
    return this.answer(MessagePatterns.release, payload);
  }

  @MessagePattern(MessagePatterns.check)
  check(@Payload() payload: unknown): unknown {
    return this.answer(MessagePatterns.check, payload);
  }

  @MessagePattern(MessagePatterns.list)
  list(@Payload() payload: unknown): unknown {
    return this.answer(MessagePatterns.list, payload);
  }

  @MessagePattern(MessagePatterns.clusterStatus)
  clusterStatus(@Payload() payload: unknown): unknown {
    return this.answer(MessagePatterns.clusterStatus, payload);
  }

  private answer(pattern: Pattern, payload: unknown): unknown {
    this.node.calls.push({ pattern, payload });
    return this.node.handler(pattern, payload);
  }
}

/** A loopback port nothing listens on at the moment of the call. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP port assigned');
  return address.port;
}

/** Starts a fake node on `port` (a fresh free one by default). */
export async function startFakeLockNode(handler: FakeHandler, port?: number): Promise<FakeLockNode> {
  port ??= await freePort();
  let app: INestMicroservice | undefined;
  const node: FakeLockNode = {
    address: `127.0.0.1:${port}`,
    calls: [],
    handler,
    close: async () => app?.close(),
  };

  @Module({ controllers: [FakeLockController], providers: [{ provide: NODE, useValue: node }] })
  class FakeLockModule {}

  app = await NestFactory.createMicroservice(FakeLockModule, {
    transport: Transport.TCP,
    options: { host: '127.0.0.1', port },
    logger: false,
  });
  await app.listen();
  return node;
}
