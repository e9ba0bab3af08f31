import { createHash, timingSafeEqual } from 'node:crypto';
import { type Server, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { readSecret } from '@inventory/config';
import { bearerToken, type ErrorCode, errorCodes, httpStatusOf } from '@inventory/core';
import {
  type ConnectionError,
  type FastifyHttpOptions,
  type FastifyInstance,
  type FastifyRequest,
  LogController,
} from 'fastify';
import { ApiError, sendError, toApiError } from './http-errors.ts';
import type { HttpServerSettings } from './settings.ts';

/** What Node's HTTP parser refuses before fastify sees a request, answered in the one error body. */
function clientErrorCode(error: ConnectionError): ErrorCode {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'REQUEST_TIMEOUT';
  if (error.code === 'HPE_HEADER_OVERFLOW') return 'HEADERS_TOO_LARGE';
  return 'INVALID_REQUEST';
}

const clientErrorMessages: Partial<Record<ErrorCode, string>> = {
  REQUEST_TIMEOUT: 'the request did not arrive whole in time',
  HEADERS_TOO_LARGE: 'the request headers are larger than the server reads',
  INVALID_REQUEST: 'the request is not valid HTTP/1.1',
};

/**
 * Answers a request Node's parser refused (malformed, too slow, headers too large) and
 * closes its connection: the protocol cannot continue on it. Nothing of the request is
 * echoed. A connection that already sent part of an answer is only closed.
 */
export function answerClientError(error: ConnectionError, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const code = clientErrorCode(error);
  const status = httpStatusOf(code);
  const body = JSON.stringify({
    error: { code, message: clientErrorMessages[code], retriable: errorCodes[code].retriable, details: [] },
  });
  const answering = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !answering?.headersSent)
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
    );
  socket.destroy();
}

/**
 * The fastify options of every HTTP server of the platform (an app's API, a worker's ops
 * routes) from the settings: timeouts, header and body limits, and the one error body also
 * for what the router and Node's parser refuse.
 */
export function httpServerOptions(settings: HttpServerSettings): FastifyHttpOptions<Server> {
  // Node refuses a header timeout longer than the request timeout.
  const headersTimeout = Math.min(settings.HTTP_HEADERS_TIMEOUT_MS, settings.HTTP_REQUEST_TIMEOUT_MS);
  return {
    // Fastify's own two lines per request ("incoming request", "request completed") at info
    // cost the ingest a fifth of its CPU at one event per request, and would be most of a
    // worker's log (Prometheus scrapes /metrics every few seconds, a kubelet probes /readyz).
    // A request is counted in http_requests_total and a refusal logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    requestTimeout: settings.HTTP_REQUEST_TIMEOUT_MS,
    keepAliveTimeout: settings.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    connectionTimeout: settings.HTTP_IDLE_TIMEOUT_MS,
    bodyLimit: settings.HTTP_BODY_LIMIT_BYTES,
    http: {
      headersTimeout,
      requestTimeout: settings.HTTP_REQUEST_TIMEOUT_MS,
      maxHeaderSize: settings.HTTP_MAX_HEADER_BYTES,
      // Node looks for expired requests this often (30 s by default): a timeout is kept to
      // within a second of its setting.
      connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(headersTimeout / 4))),
    },
    clientErrorHandler: answerClientError,
    frameworkErrors: (error, _request, reply) => sendError(reply, toApiError(error)),
  };
}

/**
 * Caps the open connections of one client address: a request on a connection beyond the cap
 * is answered 429 and the connection closed, so one client cannot take every socket. Counted
 * from the TCP connection, before any request, so connections that send nothing count too
 * (the header timeout ends those).
 */
export function limitConnectionsPerAddress(app: FastifyInstance, max: number): void {
  if (max === 0) return;
  const open = new Map<string, number>();
  const beyond = new WeakSet<Socket>();
  app.server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const count = (open.get(address) ?? 0) + 1;
    open.set(address, count);
    if (count > max) beyond.add(socket);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
  app.addHook('onRequest', async (request) => {
    if (beyond.has(request.raw.socket))
      throw new ApiError(
        'TOO_MANY_CONNECTIONS',
        `this address holds more than ${max} connections to the server; reuse one (keep-alive) or close some`,
        { headers: { connection: 'close' }, extra: { limit: max } },
      );
  });
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** The ops token of the settings (value or file), or undefined: the ops routes are open. */
export function opsTokenOf(settings: HttpServerSettings): string | undefined {
  return readSecret(settings, 'HTTP_OPS_TOKEN');
}

/** True when the request may see the ops routes' details: no ops token is set, or it carries it. */
export function opsAuthorizer(token: string | undefined): (request: FastifyRequest) => boolean {
  if (token === undefined) return () => true;
  const expected = digest(token);
  return (request) => {
    const sent = bearerToken(request.headers.authorization);
    // Compared as digests: equal lengths, and no timing tells how much of a guess was right.
    return sent !== undefined && timingSafeEqual(digest(sent), expected);
  };
}

/** The refusal of an ops route to a caller without the ops token. */
export const opsRefusal = () =>
  new ApiError('UNAUTHENTICATED', 'send Authorization: Bearer <ops token>', {
    headers: { 'www-authenticate': 'Bearer realm="ops"' },
  });
