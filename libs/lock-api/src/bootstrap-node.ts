import { Logger, ValidationPipe, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Transport, type MicroserviceOptions } from '@nestjs/microservices';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { noDelayJsonSocket } from '@app/protocol';
import { ClusterJoinService, ReplicaService, exitOnStartupError, type NodeOptions } from '@app/replica';
import { ServiceUnavailableFilter } from './http/service-unavailable.filter';
import { setupSwagger } from './setup-swagger';
import { applyEdgeLimits, edgeLimitsFromEnv, refusePrototypeKeys, tcpTransportLimits } from './edge-limits';

/**
 * Starts one node as a hybrid app: the WAL is replayed during init, and only then do
 * the TCP transport (peers, SDK) and the HTTP gateway open.
 */
export async function bootstrapNode(
  module: DynamicModule,
  options: NodeOptions,
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(module, {
    bodyParser: false,
    bufferLogs: false,
  });
  // Size limits apply at the edge: an oversized body is a 413 before any parsing.
  app.useBodyParser('json', { limit: options.maxBodyBytes, reviver: refusePrototypeKeys });
  app.useGlobalPipes(
    new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true }),
  );
  app.useGlobalFilters(new ServiceUnavailableFilter());
  app.enableShutdownHooks();
  app.connectMicroservice<MicroserviceOptions>({
    transport: Transport.TCP,
    // Bounds on one TCP frame and connection, so a client cannot make a node buffer without limit.
    options: {
      host: options.host,
      port: options.port,
      socketClass: noDelayJsonSocket(tcpTransportLimits(edgeLimitsFromEnv(process.env))),
    },
  });
  setupSwagger(app, options.id);
  await app.init();
  await app.get(ReplicaService).start();
  await app.startAllMicroservices();
  applyEdgeLimits(app, edgeLimitsFromEnv(process.env));
  await app.listen(options.httpPort, options.host);
  // A refused join (say, an emptied data directory under a voter's id) stops the node with
  // exit code 1 and the reason, which names the way out; retrying could never succeed.
  void app
    .get(ClusterJoinService)
    .start()
    .catch(async (error: unknown) => {
      await app.close();
      exitOnStartupError(error);
    });
  new Logger('Latchkey').log(
    `${options.id} serving: TCP ${options.host}:${options.port}, HTTP http://${options.host}:${options.httpPort}, Swagger http://${options.host}:${options.httpPort}/docs, data ${options.dataDir}`,
  );
  return app;
}
