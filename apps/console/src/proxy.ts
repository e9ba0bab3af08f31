import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { ApiError } from '@inventory/service';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** One public API the console forwards to, and what of it the browser may call. */
export interface Upstream {
  /** The path prefix on the console's origin, e.g. `/api/query`. */
  prefix: string;
  base: string;
  methods: ('GET' | 'POST' | 'DELETE')[];
  /** Paths (after the prefix) that may be forwarded. */
  allow: RegExp;
}

// Only what a client of the API sends or reads: the caller's key passes through, cookies and
// the browser's other headers stay here.
const requestHeaders = ['authorization', 'content-type', 'accept', 'last-event-id', 'if-none-match'];
const responseHeaders = ['content-type', 'cache-control', 'vary', 'etag', 'retry-after', 'www-authenticate'];

/** The upstream URL of a request's path and query string, or undefined when not allowed. */
export function upstreamUrl(upstream: Upstream, url: string): string | undefined {
  const rest = url.slice(upstream.prefix.length);
  const path = rest.split('?')[0] ?? '';
  if (!upstream.allow.test(path) || path.includes('..')) return undefined;
  return `${upstream.base.replace(/\/$/, '')}${rest}`;
}

/**
 * Forwards requests under `upstream.prefix`, streaming the answer (the change feed is an
 * endless Server-Sent Events answer); the upstream request ends when the browser goes away.
 */
export function proxyRoutes(app: FastifyInstance, upstream: Upstream, timeoutMs: number): void {
  app.register(async (scope) => {
    // Bodies pass through as they came (JSON or NDJSON), unparsed.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    scope.route({
      method: upstream.methods,
      url: `${upstream.prefix}/*`,
      handler: (request, reply) => forward(upstream, request, reply, timeoutMs),
    });
  });
}

async function forward(
  upstream: Upstream,
  request: FastifyRequest,
  reply: FastifyReply,
  timeoutMs: number,
): Promise<FastifyReply> {
  const target = upstreamUrl(upstream, request.url);
  if (!target) throw new ApiError('NOT_FOUND', `${request.url} is not forwarded`);
  const headers: Record<string, string> = {};
  for (const name of requestHeaders) {
    const value = request.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  // One signal ends the upstream request: the browser going away, or no answer in time.
  const abort = new AbortController();
  reply.raw.on('close', () => abort.abort());
  const late = setTimeout(() => abort.abort(), timeoutMs);
  let response: Response;
  try {
    response = await fetch(target, {
      method: request.method,
      headers,
      ...(Buffer.isBuffer(request.body) && request.body.length > 0 ? { body: request.body } : {}),
      signal: abort.signal,
    });
  } catch (error) {
    throw new ApiError('UPSTREAM_UNAVAILABLE', `${upstream.prefix}: the API did not answer`, {
      cause: error,
    });
  } finally {
    // The wait for the answer's start is bounded; a stream (the change feed) may then run for hours.
    clearTimeout(late);
  }
  reply.status(response.status);
  for (const name of responseHeaders) {
    const value = response.headers.get(name);
    if (value !== null) reply.header(name, value);
  }
  if (!response.body) return reply.send();
  const body = Readable.fromWeb(response.body as WebReadableStream);
  body.on('error', () => body.destroy());
  return reply.send(body);
}
