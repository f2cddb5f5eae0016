import { Logger, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { CoordinatorLeadership } from './coordinator-leadership.service';
import type { CoordinatorOptions } from './coordinator-options';
import { CoordinatorModule } from './coordinator.module';
import { RetryAfterFilter } from './http/retry-after.filter';
import { ReplicaLocksWatcher } from './replica-locks.watcher';
import { TransactionCoordinator } from './transaction-coordinator.service';

const MAX_BODY_BYTES = 16 * 1024;

/** A coordinator: the HTTP API (Swagger at /docs); it decides only while it holds twopc-coordinator. */
export async function startCoordinator(options: CoordinatorOptions): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(CoordinatorModule.forRoot(options), {
    bodyParser: false,
  });
  app.useBodyParser('json', { limit: MAX_BODY_BYTES });
  app.useGlobalPipes(
    new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true }),
  );
  app.useGlobalFilters(new RetryAfterFilter());
  app.enableShutdownHooks();
  const config = new DocumentBuilder()
    .setTitle('Latchkey two-phase-commit register')
    .setDescription(
      `Coordinator ${options.id}. A register replicated on ${options.replicas.size} replicas; a write commits on ` +
        'all of them or on none. Only the coordinator holding the Latchkey lock twopc-coordinator decides; ' +
        'a standby answers writes with 503.',
    )
    .setVersion('0.1.0')
    .build();
  SwaggerModule.setup('docs', app, SwaggerModule.createDocument(app, config), {
    jsonDocumentUrl: 'docs-json',
  });
  await app.listen(options.httpPort, options.host);
  app.get(TransactionCoordinator).start();
  app.get(ReplicaLocksWatcher).start();
  app.get(CoordinatorLeadership).start();
  new Logger('Coordinator').log(
    `${options.id} serving HTTP http://${options.host}:${options.httpPort} (Swagger /docs), decision log ${options.logDir}`,
  );
  return app;
}
