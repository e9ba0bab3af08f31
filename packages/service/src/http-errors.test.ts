import { InventoryError } from '@inventory/core';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { ApiError, toApiError, useErrorHandling } from './http-errors.ts';

describe('the one error body', () => {
  it('answers a code with its status, its retriable, details and extra fields', async () => {
    const app = Fastify();
    useErrorHandling(app, { retryAfterSeconds: 3, mediaTypes: 'application/json' });
    app.get('/refused', async () => {
      throw new ApiError('INSUFFICIENT_STOCK', '5 requested, 2 available', {
        details: [{ path: 'body/quantity', message: 'more than available' }],
        extra: { available: 2 },
      });
    });
    app.get('/down', async () => {
      throw new InventoryError('KAFKA_UNAVAILABLE', 'no broker answered');
    });
    app.get('/bug', async () => {
      throw new Error('a bug');
    });
    app.post('/json', async () => ({}));
    const refused = await app.inject({ url: '/refused' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toEqual({
      error: {
        code: 'INSUFFICIENT_STOCK',
        message: '5 requested, 2 available',
        retriable: false,
        details: [{ path: 'body/quantity', message: 'more than available' }],
        available: 2,
      },
    });
    const down = await app.inject({ url: '/down' });
    expect([
      down.statusCode,
      down.headers['retry-after'],
      down.json().error.code,
      down.json().error.retriable,
    ]).toEqual([503, '3', 'KAFKA_UNAVAILABLE', true]);
    const bug = await app.inject({ url: '/bug' });
    expect([bug.statusCode, bug.json().error.code, bug.json().error.message]).toEqual([
      500,
      'INTERNAL_ERROR',
      'internal error; it has been logged',
    ]);
    const media = await app.inject({
      method: 'POST',
      url: '/json',
      headers: { 'content-type': 'application/xml' },
      payload: 'x',
    });
    expect([media.statusCode, media.json().error.code, media.json().error.message]).toEqual([
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      'Content-Type must be application/json',
    ]);
    const missing = await app.inject({ url: '/nowhere' });
    expect([missing.statusCode, missing.json().error.code]).toEqual([404, 'NOT_FOUND']);
  });

  it('an error without an HTTP status (a start-up failure) is an internal error, never leaked', () => {
    const error = toApiError(new InventoryError('CONFIG_INVALID', 'REDIS_URL: missing'));
    expect([error.status, error.code, error.message]).toEqual([
      500,
      'INTERNAL_ERROR',
      'internal error; it has been logged',
    ]);
  });

  it('Redis not answering (a cluster failing over) is a 503 to retry, with Retry-After', () => {
    const error = toApiError(
      new Error('Too many Cluster redirections. Last error: Error: Connection is closed.'),
      {
        retryAfterSeconds: 1,
      },
    );
    expect([error.status, error.code, error.headers]).toEqual([
      503,
      'REDIS_UNAVAILABLE',
      { 'retry-after': '1' },
    ]);
  });

  it('a failing dependency is answered by its code with a generic message: no address, driver message or stack', async () => {
    const app = Fastify({ logger: false });
    useErrorHandling(app, { retryAfterSeconds: 2 });
    const kafkaDown = new InventoryError(
      'KAFKA_UNAVAILABLE',
      'Kafka did not acknowledge the events: Connection error: connect ECONNREFUSED 127.0.0.1:19092',
    );
    app.get('/kafka', async () => {
      throw kafkaDown;
    });
    app.get('/redis', async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:19379 (ioredis)');
    });
    app.get('/timeout', async () => {
      throw new InventoryError(
        'TIMEOUT',
        'describing the cluster at broker-0.kafka.svc:9093 did not complete',
      );
    });
    const kafka = await app.inject({ url: '/kafka' });
    expect([kafka.statusCode, kafka.headers['retry-after'], kafka.json()]).toEqual([
      503,
      '2',
      {
        error: {
          code: 'KAFKA_UNAVAILABLE',
          message: 'Kafka is not answering for now; retry',
          retriable: true,
          details: [],
        },
      },
    ]);
    const redis = await app.inject({ url: '/redis' });
    const timeout = await app.inject({ url: '/timeout' });
    expect([
      redis.statusCode,
      redis.json().error.code,
      timeout.statusCode,
      timeout.json().error.code,
    ]).toEqual([503, 'REDIS_UNAVAILABLE', 504, 'TIMEOUT']);
    for (const answer of [kafka, redis, timeout]) {
      expect(answer.body).not.toMatch(/127\.0\.0\.1|19092|19379|svc|ECONNREFUSED|ioredis|\n\s+at /);
      expect(answer.headers['cache-control']).toBe('no-store');
    }
  });
});
