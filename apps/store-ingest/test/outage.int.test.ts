import { waitFor } from '@inventory/core';
import { createTestTopic, freezeProcess, processAlive, stackPartPid, stackUp } from '@inventory/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestIngest, storeEvent, type TestIngest, tokens } from './support.ts';

/**
 * Freezes (SIGSTOP) and then stops the local stack's real broker under a running ingest:
 * writes must fail fast with 503 and Retry-After, and succeed again once Kafka is back,
 * without restarting the ingest.
 */
const kafkaPid = () => stackPartPid('kafka');
const alive = processAlive;

describe('store-ingest when Kafka is slow or down', () => {
  const timeoutMs = 2_000;
  let ingest: TestIngest;
  const post = () =>
    ingest.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.store1}` },
      payload: JSON.stringify({ events: [storeEvent(), storeEvent()] }),
    });

  beforeAll(async () => {
    const topic = await createTestTopic('ingest-outage', 3);
    ingest = await buildTestIngest(topic, {
      INGEST_PRODUCE_TIMEOUT_MS: String(timeoutMs),
      INGEST_RETRY_AFTER_SECONDS: '3',
      INGEST_RATE_PER_SECOND: '1000',
      INGEST_RATE_BURST: '1000',
    });
    expect((await post()).statusCode).toBe(202);
  });
  afterAll(async () => {
    // Whatever happened, leave the broker running for the tests that follow.
    process.kill(kafkaPid(), 'SIGCONT');
    if (!alive(kafkaPid())) stackUp();
    await ingest.close();
  });

  it('a frozen broker: 503 with Retry-After within the bound, then 202 again once it resumes', async () => {
    const pid = kafkaPid();
    try {
      await freezeProcess(pid);
      const started = Date.now();
      const response = await post();
      const elapsed = Date.now() - started;
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('3');
      expect(response.json().error.code).toBe('KAFKA_UNAVAILABLE');
      // The contract: an answer in seconds, never a hang (the bound is the produce timeout).
      expect(elapsed).toBeLessThan(timeoutMs + 3_000);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await waitFor(async () => (await post()).statusCode === 202, {
      description: 'writes to succeed after the broker resumed',
      timeoutMs: 60_000,
      intervalMs: 500,
    });
  });

  it('a stopped broker: 503 and /readyz 503; after a restart of Kafka, 202 without restarting the ingest', async () => {
    const pid = kafkaPid();
    process.kill(pid, 'SIGTERM');
    await waitFor(() => !alive(pid), { description: 'the broker to stop', timeoutMs: 60_000 });

    const response = await post();
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('3');
    expect((await ingest.app.inject({ url: '/readyz' })).statusCode).toBe(503);

    const restarted = stackUp();
    expect(restarted.status, restarted.stdout + restarted.stderr).toBe(0);
    await waitFor(async () => (await post()).statusCode === 202, {
      description: 'writes to succeed after Kafka restarted',
      timeoutMs: 90_000,
      intervalMs: 500,
    });
    expect((await ingest.app.inject({ url: '/readyz' })).statusCode).toBe(200);
  });
});
