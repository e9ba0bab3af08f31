import type { HostileCase } from '@inventory/testkit';

/**
 * The query API's hostile-input corpus: one case per line, each with the one answer that is
 * right (hostile.int.test.ts sends them to the real process, whose change streams are capped
 * at 20 per key and 30 in all). Statuses are exact.
 */

const sku = '/v1/availability/SKU-A';
const batch = { method: 'POST', path: '/v1/availability/batch' } as const;
const reserve = { method: 'POST', path: '/v1/reservations' } as const;
const order = { method: 'POST', path: '/v1/orders' } as const;
const changes = '/v1/availability/changes';
const json = (value: unknown) => JSON.stringify(value);
const utf8 = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));
const head = (lines: string[]) => `${lines.join('\r\n')}\r\n\r\n`;
const line = (i: number) => ({ sku: 'SKU-A', quantity: 1, lineNo: i });

// biome-ignore format: one case per line, so that a new case is one line
export const queryCorpus: HostileCase[] = [
  // Authentication and scopes
  { name: 'no Authorization header', path: sku, auth: 'none', expect: 401, code: 'UNAUTHENTICATED' },
  { name: 'unknown API key', path: sku, auth: { value: 'Bearer not-a-key' }, expect: 401, code: 'INVALID_CREDENTIALS' },
  { name: 'Basic credentials', path: sku, auth: { value: 'Basic c2hvcDpzaG9w' }, expect: 401, code: 'UNAUTHENTICATED' },
  { name: 'empty bearer', path: sku, auth: { value: 'Bearer ' }, expect: 401, code: 'UNAUTHENTICATED' },
  { name: 'API key of 10 kB', path: sku, auth: { value: `Bearer ${'k'.repeat(10_000)}` }, expect: 401, code: 'INVALID_CREDENTIALS' },
  { name: 'a key without the read scope', path: sku, auth: { value: 'Bearer no-scope-key' }, expect: 403, code: 'MISSING_SCOPE' },
  { name: 'a read-only key reserving', ...reserve, auth: { value: 'Bearer store-key' }, body: json({ reservationId: 'r-1', sku: 'SKU-A', quantity: 1 }), expect: 403, code: 'MISSING_SCOPE' },
  // Paths and parameters
  { name: 'encoded path traversal in a sku', path: '/v1/availability/..%2F..%2Fetc%2Fpasswd', expect: 400, code: 'INVALID_REQUEST' },
  { name: 'path traversal', path: '/v1/availability/../../etc/passwd', expect: 404, code: 'NOT_FOUND' },
  { name: 'sku longer than any path parameter', path: `/v1/availability/${'S'.repeat(200)}`, expect: 400, code: 'INVALID_REQUEST' },
  { name: 'NUL byte in a sku', path: '/v1/availability/SKU%00A', expect: 400, code: 'INVALID_REQUEST' },
  { name: 'bad percent-encoding', path: '/v1/availability/SKU%E0%A4%A', expect: 400, code: 'INVALID_REQUEST' },
  { name: 'CR LF encoded in a sku', path: '/v1/availability/SKU%0D%0ASet-Cookie:%20x=1', expect: 400, code: 'INVALID_REQUEST' },
  { name: '101 locationIds', path: `${sku}?${Array.from({ length: 101 }, (_, i) => `locationId=S-${i}`).join('&')}`, expect: 400, code: 'INVALID_REQUEST' },
  { name: 'unknown query parameter', path: `${sku}?debug=true`, expect: 400, code: 'INVALID_REQUEST' },
  { name: 'region of 5 kB', path: `${sku}?region=${'r'.repeat(5_000)}`, expect: 400, code: 'INVALID_REQUEST' },
  { name: 'page limit 1e400', path: '/v1/locations/S-1/availability?limit=1e400', expect: 400, code: 'INVALID_REQUEST' },
  { name: 'page limit -1', path: '/v1/locations/S-1/availability?limit=-1', expect: 400, code: 'INVALID_REQUEST' },
  { name: 'cursor with a slash', path: '/v1/locations/S-1/availability?cursor=a%2Fb', expect: 400, code: 'INVALID_REQUEST' },
  { name: 'cursor of 300 characters', path: `/v1/locations/S-1/availability?cursor=${'c'.repeat(300)}`, expect: 400, code: 'INVALID_REQUEST' },
  // JSON bodies
  { name: 'batch: deep nesting', ...batch, body: `{"skus":${'['.repeat(100_000)}${']'.repeat(100_000)}}`, expect: 400, code: 'INVALID_REQUEST' },
  { name: 'batch: unbalanced nesting', ...batch, body: '['.repeat(100_000), expect: 400, code: 'MALFORMED_JSON' },
  { name: 'batch: 1001 skus', ...batch, body: json({ skus: Array.from({ length: 1_001 }, (_, i) => `SKU-${i}`) }), expect: 400, code: 'INVALID_REQUEST' },
  { name: 'batch: duplicated key', ...batch, body: '{"skus":["SKU-A"],"skus":["SKU-B"]}', expect: 400, code: 'MALFORMED_JSON' },
  { name: 'batch: __proto__ key', ...batch, body: '{"skus":["SKU-A"],"__proto__":{"admin":true}}', expect: 400, code: 'MALFORMED_JSON' },
  { name: 'batch: constructor.prototype', ...batch, body: json({ skus: ['SKU-A'], constructor: { prototype: { admin: true } } }), expect: 400, code: 'INVALID_REQUEST' },
  { name: 'batch: not JSON', ...batch, body: '{"skus": [SKU-A]}', expect: 400, code: 'MALFORMED_JSON' },
  { name: 'batch: empty body', ...batch, body: '', expect: 400, code: 'MALFORMED_JSON' },
  { name: 'batch: invalid UTF-8 in a sku', ...batch, body: utf8('{"skus":["SKU-', [0xff], '"]}'), expect: 400, code: 'INVALID_REQUEST' },
  { name: 'batch: NUL byte in a sku', ...batch, body: json({ skus: ['SKU\u0000A'] }), expect: 400, code: 'INVALID_REQUEST' },
  { name: 'batch: includeLocations 1e400', ...batch, body: '{"skus":["SKU-A"],"includeLocations":1e400}', expect: 400, code: 'INVALID_REQUEST' },
  { name: 'batch: text/plain', ...batch, type: 'text/plain', body: json({ skus: ['SKU-A'] }), expect: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  { name: 'batch: application/xml', ...batch, type: 'application/xml', body: '<skus/>', expect: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  { name: 'batch: Content-Length of 20 MB', ...batch, length: 20_000_000, body: '{', stall: true, expect: 413, code: 'PAYLOAD_TOO_LARGE' },
  { name: 'reservation: quantity 1e400', ...reserve, body: '{"reservationId":"r-1","sku":"SKU-A","quantity":1e400}', expect: 400, code: 'INVALID_REQUEST' },
  { name: 'reservation: negative quantity', ...reserve, body: json({ reservationId: 'r-1', sku: 'SKU-A', quantity: -1 }), expect: 400, code: 'INVALID_REQUEST' },
  { name: 'reservation: ttl of 30 years', ...reserve, body: json({ reservationId: 'r-1', sku: 'SKU-A', quantity: 1, ttlSeconds: 10 ** 9 }), expect: 400, code: 'INVALID_REQUEST' },
  { name: 'reservation: id with spaces', ...reserve, body: json({ reservationId: 'r 1', sku: 'SKU-A', quantity: 1 }), expect: 400, code: 'INVALID_REQUEST' },
  { name: 'reservation: unknown field', ...reserve, body: json({ reservationId: 'r-1', sku: 'SKU-A', quantity: 1, price: 0 }), expect: 400, code: 'INVALID_REQUEST' },
  { name: 'reservation: no body', ...reserve, expect: 400, code: 'INVALID_REQUEST' },
  { name: 'release of an id longer than any path parameter', method: 'DELETE', path: `/v1/reservations/${'r'.repeat(300)}`, expect: 400, code: 'INVALID_REQUEST' },
  { name: 'order of 101 lines', ...order, body: json({ orderId: 'o-1', lines: Array.from({ length: 101 }, (_, i) => line(i)) }), expect: 400, code: 'INVALID_REQUEST' },
  { name: 'order lines not an array', ...order, body: json({ orderId: 'o-1', lines: { 0: line(0) } }), expect: 400, code: 'INVALID_REQUEST' },
  // Methods
  { name: 'PUT on a sku', method: 'PUT', path: sku, body: '{}', expect: 404, code: 'NOT_FOUND' },
  { name: 'PATCH on a sku', method: 'PATCH', path: sku, body: '{}', expect: 404, code: 'NOT_FOUND' },
  { name: 'DELETE on a sku', method: 'DELETE', path: sku, expect: 404, code: 'NOT_FOUND' },
  // The change feed
  { name: 'change feed without a sku', path: changes, expect: 400, code: 'INVALID_REQUEST' },
  { name: 'change feed of 51 skus', path: `${changes}?${Array.from({ length: 51 }, (_, i) => `sku=S-${i}`).join('&')}`, expect: 400, code: 'INVALID_REQUEST' },
  { name: 'change feed of an invalid sku', path: `${changes}?sku=a%20b`, expect: 400, code: 'INVALID_REQUEST' },
  { name: '10 000 change streams of one key', path: `${changes}?sku=SKU-A`, expect: 429, flood: { times: 10_000, concurrency: 50, counts: { 200: 20, 429: 9_980 } } },
  // Ops routes behind the ops token
  { name: '/metrics without the ops token', path: '/metrics', auth: 'none', expect: 401, code: 'UNAUTHENTICATED' },
  { name: '/metrics with an API key', path: '/metrics', expect: 401, code: 'UNAUTHENTICATED' },
  { name: '/docs/json without the ops token', path: '/docs/json', auth: 'none', expect: 401, code: 'UNAUTHENTICATED' },
  // Slow clients, sizes and HTTP framing
  { name: 'slow body: a byte every 400 ms', ...batch, body: json({ skus: ['SKU-A'] }), trickle: { bytes: 1, everyMs: 400 }, expect: 408, code: 'REQUEST_TIMEOUT' },
  { name: 'body shorter than its Content-Length, then silence', ...batch, length: 500, body: '{"skus":[', stall: true, expect: 408, code: 'REQUEST_TIMEOUT' },
  { name: 'headers that never end (slowloris)', raw: 'GET /v1/availability/SKU-A HTTP/1.1\r\nHost: $HOST\r\nX-Slow: a', stall: true, expect: 408, code: 'REQUEST_TIMEOUT' },
  { name: 'header of 20 kB', path: sku, headers: [`X-Big: ${'a'.repeat(20_000)}`], expect: 431, code: 'HEADERS_TOO_LARGE' },
  { name: 'URL of 20 kB', path: `${sku}?region=${'r'.repeat(20_000)}`, expect: 431, code: 'HEADERS_TOO_LARGE' },
  { name: 'Content-Length and Transfer-Encoding together', raw: head(['POST /v1/availability/batch HTTP/1.1', 'Host: $HOST', 'Authorization: $AUTH', 'Content-Type: application/json', 'Content-Length: 4', 'Transfer-Encoding: chunked', '', '0']), expect: 400, code: 'INVALID_REQUEST' },
  { name: 'CR smuggled into a header value', raw: head(['GET /v1/availability/SKU-A HTTP/1.1', 'Host: $HOST', 'Authorization: $AUTH', 'X-Test: a\rTransfer-Encoding: chunked']), expect: 400, code: 'INVALID_REQUEST' },
  { name: 'NUL byte in a header value', raw: head(['GET /v1/availability/SKU-A HTTP/1.1', 'Host: $HOST', 'Authorization: $AUTH\u0000']), expect: 400, code: 'INVALID_REQUEST' },
  { name: 'unknown method', raw: head(['BREW /v1/availability/SKU-A HTTP/1.1', 'Host: $HOST']), expect: 400, code: 'INVALID_REQUEST' },
  { name: 'HTTP/1.1 without Host', raw: head(['GET /healthz HTTP/1.1']), expect: 400 },
];
