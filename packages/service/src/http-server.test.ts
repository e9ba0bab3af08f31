import { connect } from 'node:net';
import { createLogger, waitFor } from '@inventory/core';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpApp } from './http-app.ts';
import { createRegistry } from './metrics.ts';
import { httpServerDefaults } from './settings.ts';

/** Writes `chunks` on a fresh connection and reads until the server closes it. */
function exchange(port: number, chunks: string[], keepOpen = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (data) => {
      answer += data.toString('latin1');
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
    socket.on('connect', () => {
      for (const chunk of chunks) socket.write(chunk);
      if (!keepOpen) socket.end();
    });
  });
}

const statusLine = (answer: string) => answer.split('\r\n')[0];
const bodyOf = (answer: string) => JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));

describe('the HTTP server of every app', () => {
  let app: FastifyInstance;
  let port: number;
  beforeAll(async () => {
    app = await httpApp({
      logger: createLogger('http-server-test', 'silent'),
      registry: createRegistry(),
      checks: {},
      stopping: () => false,
      docs: { title: 'test', description: 'test' },
      settings: {
        ...httpServerDefaults(),
        HTTP_HEADERS_TIMEOUT_MS: 400,
        HTTP_REQUEST_TIMEOUT_MS: 800,
        HTTP_MAX_HEADER_BYTES: 2_048,
        HTTP_MAX_CONNECTIONS_PER_IP: 3,
      },
    });
    app.post('/echo', async (request) => ({ length: JSON.stringify(request.body).length }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as { port: number }).port;
  });
  afterAll(() => app.close());

  it('a request whose headers never end is answered 408 in the error body and closed', async () => {
    const started = Date.now();
    const answer = await exchange(port, ['GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: 1'], true);
    expect(statusLine(answer)).toBe('HTTP/1.1 408 Request Timeout');
    expect(bodyOf(answer).error).toEqual({
      code: 'REQUEST_TIMEOUT',
      message: 'the request did not arrive whole in time',
      retriable: true,
      details: [],
    });
    // The header timeout (400 ms), checked every 100 ms; well within the request timeout's range.
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('a body that trickles past the request timeout is answered 408 and closed', async () => {
    const answer = await exchange(
      port,
      [
        'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":',
      ],
      true,
    );
    expect([statusLine(answer), bodyOf(answer).error.code]).toEqual([
      'HTTP/1.1 408 Request Timeout',
      'REQUEST_TIMEOUT',
    ]);
  });

  it('headers beyond the limit: 431; malformed HTTP: 400; neither echoes the request', async () => {
    const large = await exchange(port, [
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(4_000)}\r\n\r\n`,
    ]);
    expect([statusLine(large), bodyOf(large).error.code]).toEqual([
      'HTTP/1.1 431 Request Header Fields Too Large',
      'HEADERS_TOO_LARGE',
    ]);
    const malformed = await exchange(port, [
      'GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: <script>\r\n\r\n',
    ]);
    expect([statusLine(malformed), bodyOf(malformed).error.code]).toEqual([
      'HTTP/1.1 400 Bad Request',
      'INVALID_REQUEST',
    ]);
    expect(malformed).not.toContain('<script>');
  });

  it('a URL that is not valid percent-encoding is answered in the one error body without echoing it', async () => {
    const answer = await exchange(port, [
      'GET /v1/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    ]);
    expect([statusLine(answer), bodyOf(answer).error.code]).toEqual([
      'HTTP/1.1 400 Bad Request',
      'INVALID_REQUEST',
    ]);
    expect(bodyOf(answer).error.message).not.toContain('%E0');
  });

  it('a client address beyond its connection cap is answered 429 and its connection closed', async () => {
    const held = await Promise.all(
      Array.from(
        { length: 3 },
        () =>
          new Promise<ReturnType<typeof connect>>((resolve) => {
            const socket = connect(port, '127.0.0.1', () => resolve(socket));
          }),
      ),
    );
    try {
      const answer = await exchange(port, ['GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'], true);
      expect(statusLine(answer)).toBe('HTTP/1.1 429 Too Many Requests');
      expect(bodyOf(answer).error).toMatchObject({ code: 'TOO_MANY_CONNECTIONS', limit: 3 });
    } finally {
      const closed = held.map((socket) => new Promise((resolve) => socket.once('close', resolve)));
      for (const socket of held) socket.destroy();
      await Promise.all(closed);
    }
    // The count follows closes: a new connection is served again.
    await waitFor(
      async () =>
        statusLine(
          await exchange(port, ['GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']),
        ) === 'HTTP/1.1 200 OK',
      { description: 'a connection to be served once the others closed', timeoutMs: 5_000, intervalMs: 20 },
    );
  });
});
