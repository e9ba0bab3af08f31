import { fileURLToPath } from 'node:url';
import { createCodec } from '@inventory/codec';
import { waitFor } from '@inventory/core';
import { readToEnd } from '@inventory/kafka';
import {
  appReady,
  createTestTopic,
  expectOrderlyStop,
  runMain,
  stackEndpoints,
  testKafka,
  uniqueName,
} from '@inventory/testkit';
import { describe, expect, it } from 'vitest';
import { ingestEnv, startIngestProcess, storeEvent, tokens } from './support.ts';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const deadlineMs = 10_000;

const runAppMain = (env: Record<string, string>) => runMain(appDir, env);

describe('store-ingest main', () => {
  it('refuses to start on an unknown or missing setting, naming it', () => {
    const unknown = runAppMain({ ...ingestEnv('unused'), INGEST_KAFKA_BROKER: 'typo:9092' });
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('INGEST_KAFKA_BROKER: unknown setting');
    const { INGEST_TOKENS_FILE: _dropped, ...withoutTokens } = ingestEnv('unused');
    const missing = runAppMain(withoutTokens);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(
      'CONFIG_INVALID: invalid configuration: INGEST_TOKENS_FILE: missing required setting',
    );
  });

  it('SIGTERM while requests are in flight: they are answered, the process exits 0 within the deadline, every 202 event is in Kafka', async () => {
    const topic = await createTestTopic('ingest-stop', 3);
    const app = startIngestProcess(topic, {
      INGEST_LOG_LEVEL: 'info',
      INGEST_SHUTDOWN_TIMEOUT_MS: String(deadlineMs),
      INGEST_RATE_PER_SECOND: '100000',
      INGEST_RATE_BURST: '100000',
      INGEST_EVENTS_RATE_PER_SECOND: '1000000',
      INGEST_EVENTS_RATE_BURST: '1000000',
    });
    await appReady(app);
    const accepted: string[] = [];
    const sent: string[] = [];
    let stopped = false;
    // Eight clients posting batches back to back until the server stops taking connections.
    const client = async () => {
      while (!stopped) {
        const events = Array.from({ length: 50 }, () => storeEvent({ locationId: 'STORE-009' }));
        sent.push(...events.map((e) => e.eventId as string));
        const response = await fetch(`http://127.0.0.1:${app.port}/v1/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.central}` },
          body: JSON.stringify({ events }),
        }).catch(() => undefined);
        if (response === undefined) return;
        if (response.status === 202) accepted.push(...events.map((e) => e.eventId as string));
        else await response.body?.cancel();
      }
    };
    const clients = Array.from({ length: 8 }, client);
    await waitFor(() => accepted.length >= 2_000, {
      description: () => `2000 events accepted (have ${accepted.length})`,
      timeoutMs: 60_000,
      intervalMs: 20,
    });
    await expectOrderlyStop(app, deadlineMs);
    stopped = true;
    await Promise.all(clients);
    expect(app.output()).not.toContain(tokens.central);
    const codec = createCodec({ registryUrl: stackEndpoints().SCHEMA_REGISTRY_URL });
    const written = new Set<string>();
    await readToEnd(
      testKafka(),
      topic,
      async (message) => {
        const event = await codec.decode(message.value as Buffer, 'InventoryEvent');
        written.add(event.clientEventId as string);
      },
      { groupPrefix: uniqueName('ingest-stop-read') },
    );
    expect(accepted.filter((id) => !written.has(id))).toEqual([]);
    const sentIds = new Set(sent);
    expect([...written].filter((id) => !sentIds.has(id))).toEqual([]);
  });
});
