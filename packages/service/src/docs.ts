import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { opsRefusal } from './http-server.ts';

/**
 * The OpenAPI document of an HTTP app, built from its route schemas, served at /docs (and
 * /docs/json) to callers `allowed` (everyone, unless an ops token is set); authentication
 * of the API is a bearer secret (a token or an API key).
 */
export async function useApiDocs(
  app: FastifyInstance,
  info: { title: string; description: string },
  allowed: (request: FastifyRequest) => boolean = () => true,
): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: { ...info, version: '1' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiHooks: {
      onRequest: async (request) => {
        if (!allowed(request)) throw opsRefusal();
      },
    },
  });
}
