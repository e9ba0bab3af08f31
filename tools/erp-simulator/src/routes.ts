import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErpError, parseJson } from './http-errors.ts';
import type { ReceivedKind } from './model.ts';
import type { SimulatorState } from './state.ts';
import { idempotencyKeyProblem, validatePurchaseOrder, validateSoldQuantity } from './validate.ts';

type Validate = (body: unknown, request: FastifyRequest) => void;

/** The ERP's and the suppliers' business API; guard.ts has already applied rules and the token. */
export function registerBusinessRoutes(app: FastifyInstance, state: SimulatorState): void {
  // Stripe's semantics: a key is bound to its first accepted body; a repeat is answered, not applied.
  const receive =
    (kind: ReceivedKind, validate: Validate) => async (request: FastifyRequest, reply: FastifyReply) => {
      const header = request.headers['idempotency-key'];
      const problem = idempotencyKeyProblem(header);
      if (problem) throw new ErpError(400, 'IDEMPOTENCY_KEY_REQUIRED', problem);
      const key = header as string;
      const body = parseJson(request.body);
      const answer = { status: 'accepted', idempotencyKey: key };
      const attempt = state.store.attempt(kind, key, body);
      if (attempt === 'conflict') {
        throw new ErpError(
          409,
          'IDEMPOTENCY_KEY_REUSED',
          `Idempotency-Key ${key} was already used with a different ${kind} body`,
        );
      }
      if (attempt === 'replayed') {
        state.stats.duplicates[kind]++;
        return reply.status(200).header('idempotent-replayed', 'true').send(answer);
      }
      validate(body, request);
      state.store.accept(kind, key, body, new Date());
      state.stats.accepted[kind]++;
      return reply.status(201).send(answer);
    };

  app.post(
    '/purchase-orders',
    { config: { erpRoute: 'purchase-orders' } },
    receive('purchase-orders', validatePurchaseOrder),
  );
  app.post(
    '/sold-quantities',
    { config: { erpRoute: 'sold-quantities' } },
    receive('sold-quantities', validateSoldQuantity),
  );
  app.post(
    '/suppliers/:supplierId/sold-quantities',
    { config: { erpRoute: 'supplier-sold-quantities' } },
    receive('supplier-sold-quantities', (body, request) => {
      const report = validateSoldQuantity(body);
      const { supplierId } = request.params as { supplierId: string };
      // A report posted to the wrong supplier would leak one supplier's sales to another.
      if (report.supplierId !== supplierId) {
        throw new ErpError(
          422,
          'INVALID_BODY',
          `supplierId ${report.supplierId} does not match the supplier of the path, ${supplierId}`,
          {},
          { field: 'supplierId' },
        );
      }
    }),
  );

  app.get('/inventory', { config: { erpRoute: 'inventory' } }, async (_request, reply) =>
    reply.type('application/json; charset=utf-8').send(state.inventoryBytes()),
  );

  // Answers like Slack's incoming webhooks: plain text, "ok" or the error name.
  app.post('/hooks/slack', { config: { erpRoute: 'slack' } }, async (request, reply) => {
    let body: unknown;
    try {
      body = parseJson(request.body);
    } catch {
      body = undefined;
    }
    const text = (body as { text?: unknown } | undefined)?.text;
    if (typeof text !== 'string' || text === '') {
      state.stats.invalid++;
      return reply.status(400).type('text/plain; charset=utf-8').send('invalid_payload');
    }
    state.recordAlert(text, body);
    return reply.status(200).type('text/plain; charset=utf-8').send('ok');
  });
}
