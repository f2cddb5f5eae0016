import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { INestMicroservice } from '@nestjs/common';
import { Transport, type MicroserviceOptions } from '@nestjs/microservices';
import { InDoubtResolver } from './in-doubt-resolver.service';
import { ReplicaMembership } from './replica-membership.service';
import type { ReplicaOptions } from './replica-options';
import { ReplicaModule } from './replica.module';

/**
 * A replica is a Nest TCP microservice. Its log is replayed during init, before the port
 * opens; it takes its membership lock only once it can answer, and resolves an in-doubt
 * transaction it recovered.
 */
export async function startReplica(options: ReplicaOptions): Promise<INestMicroservice> {
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(ReplicaModule.forRoot(options), {
    transport: Transport.TCP,
    options: { host: options.host, port: options.port },
  });
  app.enableShutdownHooks();
  await app.listen();
  app.get(InDoubtResolver).watch();
  app.get(ReplicaMembership).start();
  new Logger('Replica').log(
    `${options.id} serving on TCP ${options.host}:${options.port}, data ${options.dataDir}`,
  );
  return app;
}
