import type { HostileCase } from '@inventory/testkit';

/**
 * The ingest's hostile-input corpus: one case per line, each with the one answer that is
 * right (hostile.int.test.ts sends them to the real process). Statuses are exact; a close
 * is accepted only for a body sent past the limit (`orClose`): the server answers 413 and
 * closes while the client still sends, and TCP's reset may drop the answer.
 */

// A valid event of the test token's location, an event time within every bound.
const occurredAt = new Date(Date.now() - 60_000).toISOString();
const valid = {
  eventId: 'h-1',
  type: 'SALE',
  sku: 'SKU-1',
  locationId: 'STORE-001',
  quantity: 1,
  occurredAt,
};
const event = (fields: Record<string, unknown>) => JSON.stringify({ ...valid, ...fields });
/** The valid event's JSON with `replace` spliced in for its quantity (text no JSON.stringify writes). */
const withQuantity = (text: string) => event({ quantity: 0 }).replace('"quantity":0', `"quantity":${text}`);
const utf8 = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));
const post = { method: 'POST', path: '/v1/events' } as const;
const head = (lines: string[]) => `${lines.join('\r\n')}\r\n\r\n`;

// biome-ignore format: one case per line, so that a new case is one line
export const ingestCorpus: HostileCase[] = [
  // Authentication
  { name: 'no Authorization header', ...post, auth: 'none', body: event({}), expect: 401, code: 'UNAUTHENTICATED' },
  { name: 'Basic credentials', ...post, auth: { value: 'Basic dXNlcjpwYXNz' }, body: event({}), expect: 401, code: 'UNAUTHENTICATED' },
  { name: 'unknown bearer token', ...post, auth: { value: 'Bearer not-a-token' }, body: event({}), expect: 401, code: 'INVALID_CREDENTIALS' },
  { name: 'two tokens in one header', ...post, auth: { value: 'Bearer a b' }, body: event({}), expect: 401, code: 'UNAUTHENTICATED' },
  { name: 'lower-case bearer scheme', ...post, auth: { value: 'bearer test-token-store-1' }, body: event({}), expect: 401, code: 'UNAUTHENTICATED' },
  { name: 'bearer token of 10 kB', ...post, auth: { value: `Bearer ${'A'.repeat(10_000)}` }, body: event({}), expect: 401, code: 'INVALID_CREDENTIALS' },
  { name: 'another store\u2019s location', ...post, body: event({ locationId: 'STORE-002' }), expect: 403, code: 'FORBIDDEN_LOCATION' },
  // JSON structure
  { name: 'deep nesting: 100 000 arrays', ...post, body: `${'['.repeat(100_000)}${']'.repeat(100_000)}`, expect: 400, code: 'INVALID_REQUEST' },
  { name: 'deep nesting: 50 000 objects', ...post, body: `${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`, expect: 400, code: 'VALIDATION_FAILED' },
  { name: 'unbalanced nesting', ...post, body: '['.repeat(100_000), expect: 400, code: 'MALFORMED_JSON' },
  { name: 'quantity 1e400 (Infinity)', ...post, body: withQuantity('1e400'), expect: 400, code: 'VALIDATION_FAILED' },
  { name: 'quantity 2^64', ...post, body: withQuantity('18446744073709551616'), expect: 400, code: 'VALIDATION_FAILED' },
  { name: 'quantity of 400 digits', ...post, body: withQuantity('9'.repeat(400)), expect: 400, code: 'VALIDATION_FAILED' },
  { name: 'quantity -0 for a sale', ...post, body: withQuantity('-0'), expect: 400, code: 'VALIDATION_FAILED' },
  { name: 'quantity as a string', ...post, body: event({ quantity: '5' }), expect: 400, code: 'VALIDATION_FAILED' },
  { name: 'quantity 1.5', ...post, body: withQuantity('1.5'), expect: 400, code: 'VALIDATION_FAILED' },
  { name: 'occurredAt in year 275760', ...post, body: event({ occurredAt: '+275760-09-13T00:00:00Z' }), expect: 400, code: 'VALIDATION_FAILED' },
  { name: 'occurredAt 10 minutes ahead', ...post, body: event({ occurredAt: new Date(Date.now() + 600_000).toISOString() }), expect: 400, code: 'VALIDATION_FAILED' },
  { name: 'occurredAt 30 days ago', ...post, body: event({ occurredAt: new Date(Date.now() - 30 * 86_400_000).toISOString() }), expect: 422, code: 'BEYOND_DEDUP_HORIZON' },
  { name: 'duplicated key in an event', ...post, body: event({}).replace('"quantity":1', '"quantity":1,"quantity":-500'), expect: 400, code: 'MALFORMED_JSON' },
  { name: 'duplicated "events" key', ...post, body: `{"events":[${event({})}],"events":[]}`, expect: 400, code: 'MALFORMED_JSON' },
  { name: 'duplicated key on an NDJSON line', ...post, type: 'application/x-ndjson', body: `${event({})}\n{"sku":"A","sku":"B"}\n`, expect: 400, code: 'MALFORMED_NDJSON' },
  { name: '__proto__ key in an event', ...post, body: `{"__proto__":{"admin":true},${event({}).slice(1)}`, expect: 400, code: 'MALFORMED_JSON' },
  { name: '__proto__ next to "events"', ...post, body: `{"events":[${event({})}],"__proto__":{"x":1}}`, expect: 400, code: 'MALFORMED_JSON' },
  { name: 'constructor.prototype in an event', ...post, body: event({ constructor: { prototype: { admin: true } } }), expect: 400, code: 'VALIDATION_FAILED' },
  { name: 'an event of 10 000 unknown fields', ...post, body: event(Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`f${i}`, i]))), expect: 400, code: 'VALIDATION_FAILED' },
  { name: 'reference of 100 kB', ...post, body: event({ reference: 'r'.repeat(100_000) }), expect: 400, code: 'VALIDATION_FAILED' },
  { name: 'empty events array', ...post, body: '{"events":[]}', expect: 400, code: 'INVALID_REQUEST' },
  { name: '1001 events in one JSON request', ...post, body: JSON.stringify({ events: Array.from({ length: 1_001 }, (_, i) => ({ ...valid, eventId: `h-${i}` })) }), expect: 413, code: 'TOO_MANY_EVENTS' },
  { name: 'SQL in a sku', ...post, body: event({ sku: "SKU' OR 1=1--" }), expect: 400, code: 'VALIDATION_FAILED' },
  // Bytes and encodings
  { name: 'invalid UTF-8 inside a string', ...post, body: utf8('{"eventId":"h-1","type":"SALE","sku":"SKU-', [0xff, 0xfe], `","locationId":"STORE-001","quantity":1,"occurredAt":"${occurredAt}"}`), expect: 400, code: 'VALIDATION_FAILED' },
  { name: 'invalid UTF-8 outside strings', ...post, body: utf8([0xc3, 0x28], event({})), expect: 400, code: 'MALFORMED_JSON' },
  { name: 'NUL byte in an eventId', ...post, body: event({ eventId: 'h\u0000-1' }), expect: 400, code: 'VALIDATION_FAILED' },
  { name: 'raw control byte inside a string', ...post, body: event({}).replace('"h-1"', '"h\u0001-1"'), expect: 400, code: 'MALFORMED_JSON' },
  { name: 'lone surrogate in an eventId', ...post, body: event({}).replace('"h-1"', '"\\ud800"'), expect: 400, code: 'VALIDATION_FAILED' },
  { name: 'byte order mark before JSON', ...post, body: `\ufeff${event({})}`, expect: 400, code: 'MALFORMED_JSON' },
  { name: 'UTF-16 body', ...post, type: 'application/json; charset=utf-16', body: Buffer.from(event({}), 'utf16le'), expect: 400, code: 'MALFORMED_JSON' },
  { name: 'NDJSON of garbage lines', ...post, type: 'application/x-ndjson', body: 'not json\n'.repeat(10_000), expect: 400, code: 'MALFORMED_NDJSON' },
  { name: 'empty body', ...post, body: '', expect: 400, code: 'MALFORMED_JSON' },
  // Content types
  { name: 'text/plain body', ...post, type: 'text/plain', body: event({}), expect: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  { name: 'application/xml body', ...post, type: 'application/xml', body: '<events/>', expect: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  { name: 'multipart/form-data body', ...post, type: 'multipart/form-data; boundary=x', body: `--x\r\n\r\n${event({})}\r\n--x--`, expect: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  { name: 'body without Content-Type', ...post, type: null, body: event({}), expect: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  // Sizes
  { name: 'Content-Length of 20 MB', ...post, length: 20_000_000, body: '{', stall: true, expect: 413, code: 'PAYLOAD_TOO_LARGE' },
  { name: 'JSON body over 1 MiB', ...post, body: JSON.stringify({ events: [{ ...valid, reference: 'x'.repeat(1_100_000) }] }), expect: 413, code: 'PAYLOAD_TOO_LARGE', orClose: true },
  { name: 'header of 20 kB', ...post, headers: [`X-Big: ${'a'.repeat(20_000)}`], body: event({}), expect: 431, code: 'HEADERS_TOO_LARGE' },
  { name: '4000 small headers', ...post, headers: Array.from({ length: 4_000 }, (_, i) => `X-H${i}: v`), body: event({}), expect: 431, code: 'HEADERS_TOO_LARGE' },
  { name: 'URL of 20 kB', method: 'GET', path: `/v1/${'a'.repeat(20_000)}`, expect: 431, code: 'HEADERS_TOO_LARGE' },
  { name: 'URL of 12 kB', method: 'GET', path: `/v1/${'a'.repeat(12_000)}`, expect: 404, code: 'NOT_FOUND' },
  // Slow clients
  { name: 'slow body: a byte every 400 ms', ...post, body: event({}), trickle: { bytes: 1, everyMs: 400 }, expect: 408, code: 'REQUEST_TIMEOUT' },
  { name: 'body shorter than its Content-Length, then silence', ...post, length: 1_000, body: '{"events":[', stall: true, expect: 408, code: 'REQUEST_TIMEOUT' },
  { name: 'headers that never end (slowloris)', raw: 'POST /v1/events HTTP/1.1\r\nHost: $HOST\r\nX-Slow: a', stall: true, expect: 408, code: 'REQUEST_TIMEOUT' },
  // HTTP framing and header injection
  { name: 'Content-Length and Transfer-Encoding together', raw: head(['POST /v1/events HTTP/1.1', 'Host: $HOST', 'Authorization: $AUTH', 'Content-Type: application/json', 'Content-Length: 4', 'Transfer-Encoding: chunked', '', '0']), expect: 400, code: 'INVALID_REQUEST' },
  { name: 'two different Content-Lengths', raw: head(['POST /v1/events HTTP/1.1', 'Host: $HOST', 'Content-Type: application/json', 'Content-Length: 2', 'Content-Length: 40']), expect: 400, code: 'INVALID_REQUEST' },
  { name: 'negative Content-Length', raw: head(['POST /v1/events HTTP/1.1', 'Host: $HOST', 'Content-Type: application/json', 'Content-Length: -1']), expect: 400, code: 'INVALID_REQUEST' },
  { name: 'bad chunk size', raw: `${head(['POST /v1/events HTTP/1.1', 'Host: $HOST', 'Authorization: $AUTH', 'Content-Type: application/json', 'Transfer-Encoding: chunked'])}zz\r\n{}\r\n0\r\n\r\n`, expect: 400, code: 'INVALID_REQUEST' },
  { name: 'CR LF smuggled into a header value', raw: head(['GET /healthz HTTP/1.1', 'Host: $HOST', 'X-Test: a\rTransfer-Encoding: chunked']), expect: 400, code: 'INVALID_REQUEST' },
  { name: 'NUL byte in a header value', raw: head(['GET /healthz HTTP/1.1', 'Host: $HOST', 'X-Test: a\u0000b']), expect: 400, code: 'INVALID_REQUEST' },
  { name: 'header name with a space', raw: head(['GET /healthz HTTP/1.1', 'Host: $HOST', 'X Test: a']), expect: 400, code: 'INVALID_REQUEST' },
  { name: 'HTTP/1.1 without Host', raw: head(['GET /healthz HTTP/1.1']), expect: 400 },
  { name: 'unknown method', raw: head(['FOO /v1/events HTTP/1.1', 'Host: $HOST']), expect: 400, code: 'INVALID_REQUEST' },
  { name: 'HTTP/2 preface on HTTP/1.1', raw: 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', expect: 400, code: 'INVALID_REQUEST' },
  // Routes and methods
  { name: 'GET on the events route', method: 'GET', path: '/v1/events', expect: 404, code: 'NOT_FOUND' },
  { name: 'PUT on the events route', method: 'PUT', path: '/v1/events', body: event({}), expect: 404, code: 'NOT_FOUND' },
  { name: 'DELETE on the events route', method: 'DELETE', path: '/v1/events', expect: 404, code: 'NOT_FOUND' },
  { name: 'path traversal', method: 'GET', path: '/v1/../../etc/passwd', expect: 404, code: 'NOT_FOUND' },
  { name: 'encoded path traversal into the docs assets', method: 'GET', path: '/docs/static/..%2f..%2f..%2f..%2fpackage.json', expect: 404, code: 'NOT_FOUND' },
  { name: 'bad percent-encoding', method: 'GET', path: '/v1/events%E0%A4%A', expect: 400, code: 'INVALID_REQUEST' },
  { name: 'absolute-form target naming another host', method: 'GET', path: 'http://evil.example/etc/passwd', expect: 404, code: 'NOT_FOUND' },
  // Ops routes behind the ops token
  { name: '/metrics without the ops token', method: 'GET', path: '/metrics', auth: 'none', expect: 401, code: 'UNAUTHENTICATED' },
  { name: '/metrics with a store token', method: 'GET', path: '/metrics', expect: 401, code: 'UNAUTHENTICATED' },
  { name: '/docs/json without the ops token', method: 'GET', path: '/docs/json', auth: 'none', expect: 401, code: 'UNAUTHENTICATED' },
];
