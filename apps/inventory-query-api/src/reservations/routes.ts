import { ApiError } from '@inventory/service';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { changeAnswer, decisionTimeout, reservationView, reserveAnswer } from './responses.ts';
import { postOrder, postReservation, reservationAction } from './schemas.ts';
import type { Decision, OrderRequest, Reservations, ReserveRequest } from './service.ts';

const lineView = ({ lineNo, decision }: { lineNo: number; decision: Decision }) =>
  decision === 'timeout' ? { lineNo, status: 'UNDECIDED' } : { lineNo, ...reservationView(decision) };

/** Reservations and orders of the web shop; every decision comes from the aggregator. */
export function reservationRoutes(
  app: FastifyInstance,
  reservations: Reservations,
  authorize: (request: FastifyRequest) => Promise<void>,
): void {
  app.post<{ Body: ReserveRequest }>(
    '/v1/reservations',
    { schema: postReservation, onRequest: authorize },
    async (request, reply) => {
      const decision = await reservations.reserve(request.body);
      if (decision === 'timeout') throw decisionTimeout(`reservation ${request.body.reservationId}`);
      const { status, body } = reserveAnswer(decision);
      return reply.status(status).send(body);
    },
  );

  app.delete<{ Params: { reservationId: string } }>(
    '/v1/reservations/:reservationId',
    { schema: { ...reservationAction, summary: 'Release a reservation' }, onRequest: authorize },
    async (request) => {
      const decision = await reservations.release(request.params.reservationId);
      if (decision === 'timeout') throw decisionTimeout(`releasing ${request.params.reservationId}`);
      return changeAnswer(decision, 'RELEASED');
    },
  );

  app.post<{ Params: { reservationId: string } }>(
    '/v1/reservations/:reservationId/commit',
    { schema: { ...reservationAction, summary: 'Turn a reservation into a sale' }, onRequest: authorize },
    async (request) => {
      const decision = await reservations.commit(request.params.reservationId);
      if (decision === 'timeout') throw decisionTimeout(`committing ${request.params.reservationId}`);
      return changeAnswer(decision, 'COMMITTED');
    },
  );

  app.post<{ Body: OrderRequest }>(
    '/v1/orders',
    { schema: postOrder, onRequest: authorize },
    async (request, reply) => {
      const result = await reservations.order(request.body);
      const lines = result.lines.map(lineView);
      if (result.status === 'UNDECIDED') throw decisionTimeout(`order ${result.orderId}`);
      if (result.status === 'REFUSED') {
        throw new ApiError(
          'INSUFFICIENT_STOCK',
          `order ${result.orderId} refused: not every line can be reserved; nothing is held`,
          { extra: { orderId: result.orderId, lines } },
        );
      }
      return reply.status(201).send({ orderId: result.orderId, status: result.status, lines });
    },
  );
}
