import { appReady, createTestTopic, hostileCorpusTests, stackEndpoints } from '@inventory/testkit';
import { describe, expect } from 'vitest';
import { startIngestProcess, storeEvent, tokens } from '../support.ts';
import { ingestCorpus } from './corpus.ts';

const opsToken = 'hostile-ops-token';

/**
 * The ingest's hostile-input corpus against its real process (src/main.ts) on the local
 * stack: every case gets exactly its answer (4xx, or a close where HTTP has none to give),
 * no answer carries an internal address or a stack, and afterwards the process still
 * answers /healthz and accepts events, its memory grown by less than the bound.
 */
describe('store-ingest hostile-input corpus', () => {
  hostileCorpusTests({
    app: 'store-ingest',
    corpus: ingestCorpus,
    start: async () => {
      const topic = await createTestTopic('ingest-hostile', 1);
      const app = startIngestProcess(topic, {
        INGEST_LOG_LEVEL: 'warn',
        INGEST_RATE_PER_SECOND: '100000',
        INGEST_RATE_BURST: '100000',
        INGEST_EVENTS_RATE_PER_SECOND: '1000000',
        INGEST_EVENTS_RATE_BURST: '1000000',
        INGEST_HTTP_HEADERS_TIMEOUT_MS: '1500',
        INGEST_HTTP_REQUEST_TIMEOUT_MS: '3000',
        INGEST_HTTP_OPS_TOKEN: opsToken,
      });
      await appReady(app);
      const endpoints = stackEndpoints();
      const forbidden = [
        endpoints.KAFKA_BROKERS,
        ...(endpoints.KAFKA_SASL_PASSWORD ? [endpoints.KAFKA_SASL_PASSWORD] : []),
        new URL(endpoints.SCHEMA_REGISTRY_URL ?? 'http://unset.invalid').host,
        tokens.store1,
        tokens.central,
        opsToken,
      ];
      return { app, target: { port: app.port, authorization: `Bearer ${tokens.store1}`, forbidden } };
    },
    stillServes: async ({ app }) => {
      const accepted = await fetch(`http://127.0.0.1:${app.port}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.store1}` },
        body: JSON.stringify(storeEvent()),
      });
      expect(accepted.status).toBe(202);
    },
  });
});
