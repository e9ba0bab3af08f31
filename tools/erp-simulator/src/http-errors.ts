import type { FastifyError, FastifyReply } from 'fastify';

/**
 * The simulated ERP's error codes. They are the ERP's contract, not the platform's
 * (@inventory/core's errorCodes): the ERP answers with statuses of its own choosing, which
 * failure rules also inject, and the platform decides retries from the status alone.
 */
export type ErpErrorCode =
  | 'INVALID_REQUEST'
  | 'INVALID_BODY'
  | 'INVALID_INVENTORY'
  | 'INVALID_RULES'
  | 'MALFORMED_JSON'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'IDEMPOTENCY_KEY_REQUIRED'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'UNAUTHENTICATED'
  | 'INVALID_TOKEN'
  | 'NOT_FOUND'
  | 'RATE_LIMITED'
  | 'INTERNAL_ERROR'
  | 'BAD_GATEWAY'
  | 'UNAVAILABLE'
  | 'GATEWAY_TIMEOUT'
  | 'SHUTTING_DOWN'
  | 'INJECTED_FAILURE';

/** An answer other than 2xx: HTTP status, the ERP's code, message, and the field at fault if any. */
export class ErpError extends Error {
  readonly retriable: boolean;

  constructor(
    readonly status: number,
    readonly code: ErpErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly options: { cause?: unknown; field?: string } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retriable = status === 429 || status >= 500;
  }

  get field(): string | undefined {
    return this.options.field;
  }
}

const fastifyCodes: Record<string, [number, ErpErrorCode]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'PAYLOAD_TOO_LARGE'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'UNSUPPORTED_MEDIA_TYPE'],
  FST_ERR_CTP_EMPTY_TYPE: [415, 'UNSUPPORTED_MEDIA_TYPE'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'INVALID_REQUEST'],
};

/** Maps any error to one ErpError, so every refusal has the same body shape. */
export function toErpError(error: unknown, aborted = false): ErpError {
  if (error instanceof ErpError) return error;
  // A slowed request still waiting when the simulator stops: the client may retry elsewhere.
  if (aborted)
    return new ErpError(503, 'SHUTTING_DOWN', 'the ERP simulator is stopping', { 'retry-after': '1' });
  const code = (error as FastifyError).code;
  const mapped = code === undefined ? undefined : fastifyCodes[code];
  if (mapped) return new ErpError(mapped[0], mapped[1], (error as Error).message, {}, { cause: error });
  const status = (error as FastifyError).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new ErpError(status, 'INVALID_REQUEST', (error as Error).message, {}, { cause: error });
  }
  return new ErpError(500, 'INTERNAL_ERROR', 'internal error; it has been logged', {}, { cause: error });
}

export function sendError(reply: FastifyReply, error: ErpError): FastifyReply {
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  const field = error.field;
  return reply.status(error.status).send({
    error: { code: error.code, message: error.message, ...(field === undefined ? {} : { field }) },
  });
}

/** JSON bodies are read as text, so failure rules can match the raw bytes before anything is parsed. */
export function parseJson(raw: unknown): unknown {
  if (typeof raw !== 'string' || raw === '') {
    throw new ErpError(400, 'MALFORMED_JSON', 'send a JSON body with Content-Type: application/json');
  }
  try {
    return JSON.parse(raw);
  } catch (error) {
    throw new ErpError(
      400,
      'MALFORMED_JSON',
      `the body is not valid JSON: ${(error as Error).message}`,
      {},
      { cause: error },
    );
  }
}
