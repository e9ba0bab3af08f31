import { InventoryError } from '@inventory/core';
import type { FastifyError, FastifyReply } from 'fastify';

/** An answer other than 2xx: HTTP status, stable code, message, and the field at fault if any. */
export class ErpError extends InventoryError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    options: { cause?: unknown; field?: string } = {},
  ) {
    super(code, message, {
      cause: options.cause,
      retriable: status === 429 || status >= 500,
      details: options.field === undefined ? undefined : { field: options.field },
    });
  }
}

const fastifyCodes: Record<string, [number, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'payload_too_large'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type'],
  FST_ERR_CTP_EMPTY_TYPE: [415, 'unsupported_media_type'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'invalid_request'],
};

const inventoryCodes: Record<string, number> = {
  invalid_body: 422,
  invalid_rules: 400,
  invalid_inventory: 400,
};

/** Maps any error to one ErpError, so every refusal has the same body shape. */
export function toErpError(error: unknown): ErpError {
  if (error instanceof ErpError) return error;
  if (error instanceof InventoryError) {
    // A slowed request still waiting when the simulator stops: the client may retry elsewhere.
    if (error.code === 'ABORTED') {
      return new ErpError(503, 'shutting_down', 'the ERP simulator is stopping', { 'retry-after': '1' });
    }
    const status = inventoryCodes[error.code];
    const field = error.details?.field;
    if (status !== undefined) {
      return new ErpError(
        status,
        error.code,
        error.message,
        {},
        {
          cause: error,
          field: typeof field === 'string' ? field : undefined,
        },
      );
    }
  }
  const code = (error as FastifyError).code;
  const mapped = code === undefined ? undefined : fastifyCodes[code];
  if (mapped) return new ErpError(mapped[0], mapped[1], (error as Error).message, {}, { cause: error });
  const status = (error as FastifyError).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new ErpError(status, 'invalid_request', (error as Error).message, {}, { cause: error });
  }
  return new ErpError(500, 'internal_error', 'internal error; it has been logged', {}, { cause: error });
}

export function sendError(reply: FastifyReply, error: ErpError): FastifyReply {
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  const field = error.details?.field;
  return reply.status(error.status).send({
    error: { code: error.code, message: error.message, ...(field === undefined ? {} : { field }) },
  });
}

/** JSON bodies are read as text, so failure rules can match the raw bytes before anything is parsed. */
export function parseJson(raw: unknown): unknown {
  if (typeof raw !== 'string' || raw === '') {
    throw new ErpError(400, 'malformed_json', 'send a JSON body with Content-Type: application/json');
  }
  try {
    return JSON.parse(raw);
  } catch (error) {
    throw new ErpError(
      400,
      'malformed_json',
      `the body is not valid JSON: ${(error as Error).message}`,
      {},
      {
        cause: error,
      },
    );
  }
}
