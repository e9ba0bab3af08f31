import type { FastifyError, FastifyReply } from 'fastify';

/** An answer other than 2xx with a stable code: {"error": {"code", "message", "details"}}. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    /** More fields of the error object, e.g. the available quantity of a refusal. */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export function sendError(reply: FastifyReply, error: unknown): FastifyReply {
  if (error instanceof HttpError) {
    for (const [k, v] of Object.entries(error.headers)) reply.header(k, v);
    return reply
      .status(error.status)
      .send({ error: { code: error.code, message: error.message, details: [], ...error.extra } });
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    // Every refused parameter, named: path (query, params or body) and the rule it breaks.
    const details = fastifyError.validation.map((v) => {
      const missing = (v.params as { missingProperty?: string } | undefined)?.missingProperty;
      const extra = (v.params as { additionalProperty?: string } | undefined)?.additionalProperty;
      const field = missing ?? extra;
      return {
        path: `${fastifyError.validationContext ?? 'request'}${v.instancePath}${field ? `/${field}` : ''}`,
        message: v.message ?? 'invalid',
      };
    });
    return reply
      .status(400)
      .send({ error: { code: 'invalid_request', message: 'invalid parameters', details } });
  }
  if (fastifyError.statusCode === 415 || fastifyError.statusCode === 413 || fastifyError.statusCode === 400) {
    return reply
      .status(fastifyError.statusCode)
      .send({ error: { code: 'invalid_request', message: fastifyError.message, details: [] } });
  }
  reply.log.error({ err: error }, 'request failed');
  return reply
    .status(500)
    .send({ error: { code: 'internal_error', message: 'internal error; it has been logged', details: [] } });
}
