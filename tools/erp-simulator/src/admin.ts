import type { FastifyInstance } from 'fastify';
import { ErpError, parseJson } from './http-errors.ts';
import { type ReceivedKind, receivedKinds } from './model.ts';
import type { SimulatorState } from './state.ts';

// 100 000 items are about 6 MB of JSON; the 1 MiB limit is the business routes'.
const inventoryBodyLimit = 256 * 1024 * 1024;

/**
 * The programmatic controls over HTTP, for demos and for tests in another process. No
 * token: the simulator binds 127.0.0.1 by default, and these routes bypass the failure rules.
 */
export function registerAdminRoutes(app: FastifyInstance, state: SimulatorState): void {
  app.put('/_admin/rules', async (request) => ({ rules: state.setRules(parseJson(request.body)).length }));

  app.delete('/_admin/rules', async (_request, reply) => {
    state.rules.clear();
    return reply.status(204).send();
  });

  app.put('/_admin/inventory', { bodyLimit: inventoryBodyLimit }, async (request) =>
    state.setInventory(parseJson(request.body)),
  );

  app.get('/_admin/stats', async () => state.statsSnapshot());

  app.get('/_admin/received', async (request) => {
    const { kind } = request.query as { kind?: string };
    if (!receivedKinds.includes(kind as ReceivedKind)) {
      throw new ErpError(
        400,
        'INVALID_REQUEST',
        `kind must be one of ${receivedKinds.join(', ')}`,
        {},
        {
          field: 'kind',
        },
      );
    }
    return state.received(kind as ReceivedKind);
  });

  app.get('/_admin/alerts', async () => state.alerts());

  app.post('/_admin/reset', async (_request, reply) => {
    state.reset();
    return reply.status(204).send();
  });
}
