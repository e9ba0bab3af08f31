import { type ErrorCode, errorCodes, httpStatusOf, InventoryError } from '@inventory/core';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isRedisUnavailable } from './redis-errors.ts';

/** One refused field: where (`body/0/quantity`, `query/limit`, an event's index) and which rule. */
export interface FieldProblem {
  path: string;
  message: string;
  /** The index of the refused item of a batch. */
  index?: number;
}

export interface ApiErrorOptions {
  details?: FieldProblem[];
  headers?: Record<string, string>;
  /** More fields of the error object (the available quantity of a refused reservation). */
  extra?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * An answer other than 2xx. Its status is its code's (errorCodes), so one code is always
 * answered alike. The body, the same in every HTTP app:
 *   {"error": {"code", "message", "retriable", "details": [{path, message, index?}], ...extra}}
 */
export class ApiError extends InventoryError {
  readonly status: number;
  readonly fieldProblems: FieldProblem[];
  readonly headers: Record<string, string>;
  readonly extra: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: ApiErrorOptions = {}) {
    super(code, message, { cause: options.cause });
    this.status = httpStatusOf(code);
    this.fieldProblems = options.details ?? [];
    this.headers = options.headers ?? {};
    this.extra = options.extra ?? {};
  }
}

export interface ErrorHandlingOptions {
  /** Sent as Retry-After with every 503 (a dependency down): when a retry is worth it. */
  retryAfterSeconds?: number;
  /** The message of a 415: which media types the app reads. */
  mediaTypes?: string;
}

const fastifyCodes: Partial<Record<string, ErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_EMPTY_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'INVALID_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_BAD_URL: 'INVALID_REQUEST',
  FST_ERR_MAX_PARAM_LENGTH: 'INVALID_REQUEST',
};

/** Messages of fastify's refusals that would otherwise repeat the request's URL. */
const fastifyMessages: Partial<Record<string, string>> = {
  FST_ERR_BAD_URL: 'the URL is not valid (a malformed percent-encoding)',
  FST_ERR_MAX_PARAM_LENGTH: 'a path parameter is longer than any valid value',
};

/**
 * What a client is told of a failure that is not a refusal of its request: the code says
 * what, and the message never repeats the cause's (a broker's or Redis' address, a driver's
 * message, a stack), which is logged instead.
 */
const serverMessages: Partial<Record<ErrorCode, string>> = {
  KAFKA_UNAVAILABLE: 'Kafka is not answering for now; retry',
  REGISTRY_UNAVAILABLE: 'the schema registry is not answering for now; retry',
  REDIS_UNAVAILABLE: 'the read model is not answering for now; retry',
  TIMEOUT: 'a dependency did not answer in time; retry',
  SHUTTING_DOWN: 'the server is stopping; retry',
};

export const internalErrorMessage = 'internal error; it has been logged';

/** The message a client gets for a server-side failure of `code`. */
export function serverMessage(code: ErrorCode): string {
  return (
    serverMessages[code] ??
    (errorCodes[code].retriable ? 'the service cannot answer for now; retry' : internalErrorMessage)
  );
}

/** Maps anything thrown by a route, a hook or fastify itself to one ApiError. */
export function toApiError(error: unknown, options: ErrorHandlingOptions = {}): ApiError {
  if (error instanceof ApiError) return error;
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    // Every refused parameter, named: where (query, params or body) and the rule it breaks.
    const details = fastifyError.validation.map((v) => {
      const params = v.params as { missingProperty?: string; additionalProperty?: string } | undefined;
      const field = params?.missingProperty ?? params?.additionalProperty;
      return {
        path: `${fastifyError.validationContext ?? 'request'}${v.instancePath}${field ? `/${field}` : ''}`,
        message: v.message ?? 'invalid',
      };
    });
    return new ApiError('INVALID_REQUEST', 'invalid parameters', { details, cause: error });
  }
  const mapped = fastifyError.code ? fastifyCodes[fastifyError.code] : undefined;
  if (mapped) {
    const message =
      mapped === 'UNSUPPORTED_MEDIA_TYPE' && options.mediaTypes
        ? `Content-Type must be ${options.mediaTypes}`
        : (fastifyMessages[fastifyError.code] ?? fastifyError.message);
    return new ApiError(mapped, message, { cause: error });
  }
  if (error instanceof InventoryError) {
    const status = (errorCodes[error.code] as { status?: number }).status;
    if (status !== undefined) {
      const headers: Record<string, string> =
        status === 503 && options.retryAfterSeconds !== undefined
          ? { 'retry-after': String(options.retryAfterSeconds) }
          : {};
      // A refusal's message was written for the client; a failure's may carry its cause's.
      const message = status >= 500 ? serverMessage(error.code) : error.message;
      return new ApiError(error.code, message, { headers, cause: error });
    }
  }
  if (isRedisUnavailable(error))
    return new ApiError('REDIS_UNAVAILABLE', serverMessage('REDIS_UNAVAILABLE'), {
      headers:
        options.retryAfterSeconds === undefined ? {} : { 'retry-after': String(options.retryAfterSeconds) },
      cause: error,
    });
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500)
    return new ApiError('INVALID_REQUEST', fastifyError.message, { cause: error });
  return new ApiError('INTERNAL_ERROR', internalErrorMessage, { cause: error });
}

export function sendError(reply: FastifyReply, error: ApiError): FastifyReply {
  // An error is about one request at one moment: no cache may keep it.
  reply.header('cache-control', 'no-store');
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  return reply.status(error.status).send({
    error: {
      code: error.code,
      message: error.message,
      retriable: error.retriable,
      details: error.fieldProblems,
      ...error.extra,
    },
  });
}

function log(request: FastifyRequest, error: ApiError): void {
  if (error.status >= 500) request.log.error({ err: error.cause ?? error, code: error.code }, error.message);
  else request.log.info({ code: error.code, status: error.status }, error.message);
}

const truncated = (text: string) => (text.length > 120 ? `${text.slice(0, 120)}...` : text);

/**
 * The one error handler of an HTTP app: every refusal, of a route, of fastify's parsing and
 * validation, or of an unknown route, leaves in the same body; server errors are logged
 * with their cause, refusals at info.
 */
export function useErrorHandling(app: FastifyInstance, options: ErrorHandlingOptions = {}): void {
  app.setErrorHandler((error, request, reply) => {
    const apiError = toApiError(error, options);
    log(request, apiError);
    return sendError(reply, apiError);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(
      reply,
      new ApiError('NOT_FOUND', `no route ${request.method} ${truncated(request.url.split('?')[0] ?? '')}`),
    ),
  );
}

/** The JSON schema of the error body, for the OpenAPI documents of the HTTP apps. */
export const errorBodySchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'retriable', 'details'],
      additionalProperties: true,
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        retriable: { type: 'boolean' },
        details: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              path: { type: 'string' },
              message: { type: 'string' },
              index: { type: 'integer' },
            },
          },
        },
      },
    },
  },
} as const;
