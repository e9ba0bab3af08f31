import { InventoryError } from '@inventory/core';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { FieldProblem } from '../events/validate.ts';

/** An answer other than 2xx: HTTP status, stable code, message, optional field details. */
export class ApiError extends InventoryError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
    readonly fieldProblems: FieldProblem[] = [],
    readonly headers: Record<string, string> = {},
    cause?: unknown,
  ) {
    super(code, message, { cause, retriable: status === 429 || status === 503 });
  }
}

const fastifyCodes: Record<string, [number, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'payload_too_large'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'invalid_request'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'malformed_json'],
  FST_ERR_CTP_EMPTY_TYPE: [415, 'unsupported_media_type'],
};

const inventoryCodes: Record<string, number> = {
  malformed_json: 400,
  malformed_ndjson: 400,
  invalid_request: 400,
  kafka_unavailable: 503,
};

/** Maps any error to the one error body shape: {"error": {"code", "message", "details"}}. */
export function toApiError(error: unknown, retryAfterSeconds: number): ApiError {
  if (error instanceof ApiError) return error;
  const fastifyCode = (error as FastifyError).code;
  const mapped = fastifyCode ? fastifyCodes[fastifyCode] : undefined;
  if (mapped) {
    const message =
      mapped[0] === 415
        ? 'Content-Type must be application/json or application/x-ndjson'
        : (error as Error).message;
    return new ApiError(mapped[0], mapped[1], message, [], {}, error);
  }
  if (error instanceof InventoryError && inventoryCodes[error.code]) {
    const status = inventoryCodes[error.code] ?? 500;
    const headers: Record<string, string> =
      status === 503 ? { 'retry-after': String(retryAfterSeconds) } : {};
    return new ApiError(status, error.code, error.message, [], headers, error);
  }
  const status = (error as FastifyError).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new ApiError(status, 'invalid_request', (error as Error).message, [], {}, error);
  }
  return new ApiError(500, 'internal_error', 'internal error; it has been logged', [], {}, error);
}

export function sendError(reply: FastifyReply, error: ApiError): FastifyReply {
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  return reply.status(error.status).send({
    error: { code: error.code, message: error.message, details: error.fieldProblems },
  });
}

export function logIfServerError(request: FastifyRequest, error: ApiError): void {
  if (error.status >= 500) request.log.error({ err: error.cause ?? error, code: error.code }, error.message);
  else request.log.info({ code: error.code, status: error.status }, error.message);
}
