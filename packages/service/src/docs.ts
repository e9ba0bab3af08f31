import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

/**
 * The OpenAPI document of an HTTP app, built from its route schemas, served at /docs (and
 * /docs/json); authentication is a bearer secret (a token or an API key).
 */
export async function useApiDocs(
  app: FastifyInstance,
  info: { title: string; description: string },
): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: { ...info, version: '1' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}
