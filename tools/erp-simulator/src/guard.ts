import { bearerToken, delay } from '@inventory/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErpError, type ErpErrorCode, sendError } from './http-errors.ts';
import type { ErpRoute } from './model.ts';
import type { SimulatorState } from './state.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set on business routes only: /_admin never counts requests, checks tokens or fails by rule. */
    erpRoute?: ErpRoute;
  }
}

export const erpRouteOf = (request: FastifyRequest): ErpRoute | undefined =>
  request.routeOptions.config?.erpRoute;

// Codes an ERP or API gateway would plausibly send with these statuses.
const injectedCodes: Record<number, ErpErrorCode> = {
  400: 'INVALID_REQUEST',
  422: 'INVALID_BODY',
  429: 'RATE_LIMITED',
  500: 'INTERNAL_ERROR',
  502: 'BAD_GATEWAY',
  503: 'UNAVAILABLE',
  504: 'GATEWAY_TIMEOUT',
};

/**
 * Counts, fails by rule, then authenticates the business routes. Rules come first, and only
 * once the body is read (they may match it): an ERP that is down does not check tokens either.
 */
export function guardBusinessRoutes(
  app: FastifyInstance,
  state: SimulatorState,
  stopping: AbortSignal,
): void {
  app.addHook('onRequest', async (request) => {
    const route = erpRouteOf(request);
    if (route) state.stats.requests[route]++;
  });

  app.addHook('preHandler', async (request, reply) => {
    const route = erpRouteOf(request);
    if (!route) return;
    const key = request.headers['idempotency-key'];
    const rule = state.rules.take({
      route,
      idempotencyKey: typeof key === 'string' ? key : undefined,
      rawBody: typeof request.body === 'string' ? request.body : '',
    });
    if (rule) {
      state.stats.failuresInjected++;
      if (rule.action === 'down') return dropConnection(request, reply);
      if (rule.action === 'status') return sendInjected(reply, rule.status ?? 503);
      await delay(rule.delayMs ?? 0, stopping);
    }
    if (route !== 'slack') authenticate(request, state);
  });
}

/** No status line, no body: the client sees a reset, as with an ERP that went away mid-request. */
function dropConnection(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  reply.hijack();
  request.raw.socket.destroy();
  return reply;
}

// Sent directly, not thrown: an injected failure must not be counted as the client's fault.
function sendInjected(reply: FastifyReply, status: number): FastifyReply {
  const headers: Record<string, string> = status === 429 || status === 503 ? { 'retry-after': '1' } : {};
  const code = injectedCodes[status] ?? 'INJECTED_FAILURE';
  return sendError(reply, new ErpError(status, code, `status ${status} injected by a failure rule`, headers));
}

function authenticate(request: FastifyRequest, state: SimulatorState): void {
  const token = bearerToken(request.headers.authorization);
  if (!token) {
    throw new ErpError(401, 'UNAUTHENTICATED', 'send Authorization: Bearer <token>', {
      'www-authenticate': 'Bearer',
    });
  }
  if (!state.authorizes(token)) {
    throw new ErpError(401, 'INVALID_TOKEN', 'the bearer token is not known', {
      'www-authenticate': 'Bearer error="invalid_token"',
    });
  }
}
