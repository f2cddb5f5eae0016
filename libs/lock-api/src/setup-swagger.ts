import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** Swagger UI at /docs, the OpenAPI document at /docs-json. */
export function setupSwagger(app: INestApplication, nodeId: string): void {
  const config = new DocumentBuilder()
    .setTitle('Latchkey')
    .setDescription(
      `A replicated lock service. This is node ${nodeId}. Every node serves the whole API: ` +
        'writes are forwarded to the leader and answered once a majority has them on disk; ' +
        "checks are answered from this node's applied map. Every grant carries a fencing token.",
    )
    .setVersion('0.1.0')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
