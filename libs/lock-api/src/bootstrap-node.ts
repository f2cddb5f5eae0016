import { Logger, ValidationPipe, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { noDelayJsonSocket } from '@app/protocol';
import { ClusterJoinService, ReplicaService, exitOnStartupError, type NodeOptions } from '@app/replica';
import { ServiceUnavailableFilter } from './http/service-unavailable.filter';
import { setupSwagger } from './setup-swagger';
import { applyEdgeLimits, edgeLimitsFromEnv, refusePrototypeKeys, tcpTransportLimits } from './edge-limits';
import { QuietNestLogger } from './observability/quiet-nest-logger';
import { StringPatternServerTcp } from './string-pattern-server-tcp';

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
    // Nest's start-up lines wait for the pino logger, which sends its wiring to debug.
    bufferLogs: true,
  });
  app.useLogger(app.get(QuietNestLogger));
  // The TCP side shares the app's configuration so that the global request-metrics
  // interceptor times it too. Its handlers are wired right here, before the HTTP-only pipe
  // and filter below are added, so those stay out of RPC handling.
  app.connectMicroservice<MicroserviceOptions>(
    {
      // Bounds on one TCP frame and connection, so a client cannot make a node buffer without limit.
      strategy: new StringPatternServerTcp({
        host: options.host,
        port: options.port,
        socketClass: noDelayJsonSocket(tcpTransportLimits(edgeLimitsFromEnv(process.env))),
      }),
    },
    { inheritAppConfig: true },
  );
  // Size limits apply at the edge: an oversized body is a 413 before any parsing.
  app.useBodyParser('json', { limit: options.maxBodyBytes, reviver: refusePrototypeKeys });
  app.useGlobalPipes(
    new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true }),
  );
  app.useGlobalFilters(new ServiceUnavailableFilter());
  app.enableShutdownHooks();
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
  const http = `http://${options.host}:${options.httpPort}`;
  new Logger('Latchkey').log(
    `${options.id} serving: TCP ${options.host}:${options.port}, HTTP ${http}, dashboard ${http}/, Swagger ${http}/docs, metrics ${http}/metrics, data ${options.dataDir}`,
  );
  return app;
}
