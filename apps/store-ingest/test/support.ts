import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashToken } from '@inventory/core';
import { type IngestConfig, type IngestMetrics, ingestService } from '@inventory/store-ingest';
import {
  type AppProcess,
  buildInProcess,
  stackKafkaEnv,
  startAppProcess,
  uniqueName,
} from '@inventory/testkit';
import type { FastifyInstance } from 'fastify';

/** The bearer tokens of the test clients: two stores and a central system writing for all. */
export const tokens = {
  store1: 'test-token-store-1',
  store2: 'test-token-store-2',
  central: 'test-token-central',
};

/** A token file of the test clients, as a deployment mounts it. */
export function testTokensFile(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'ingest-tokens-')), 'tokens.json');
  const clients = [
    { clientId: 'store-1', tokenSha256: hashToken(tokens.store1), locationIds: ['STORE-001'] },
    { clientId: 'store-2', tokenSha256: hashToken(tokens.store2), locationIds: ['STORE-002'] },
    { clientId: 'central', tokenSha256: hashToken(tokens.central), locationIds: ['*'] },
  ];
  writeFileSync(file, JSON.stringify({ clients }));
  return file;
}

/** The settings of a store-ingest writing to `topic` on the local stack. */
export function ingestEnv(topic: string, env: Record<string, string> = {}): Record<string, string> {
  return {
    ...stackKafkaEnv('INGEST'),
    INGEST_EVENTS_TOPIC: topic,
    INGEST_TOKENS_FILE: testTokensFile(),
    INGEST_KAFKA_CLIENT_ID: uniqueName('ingest-test'),
    INGEST_LOG_LEVEL: 'silent',
    ...env,
  };
}

export interface TestIngest {
  app: FastifyInstance;
  metrics: IngestMetrics;
  config: IngestConfig;
  close(): Promise<void>;
}

/** The real app as main builds it, in this process, against the local stack's Kafka and registry. */
export async function buildTestIngest(topic: string, env: Record<string, string> = {}): Promise<TestIngest> {
  const { app, settings, close } = await buildInProcess(ingestService, ingestEnv(topic, env));
  return { app: app.http, metrics: app.metrics, config: settings, close };
}

const appDir = fileURLToPath(new URL('..', import.meta.url));

/** The real process (src/main.ts) writing to `topic`, on a free port. */
export function startIngestProcess(topic: string, env: Record<string, string> = {}): AppProcess {
  return startAppProcess(appDir, { PATH: process.env.PATH, ...ingestEnv(topic, env) }, 'INGEST_HTTP_PORT');
}

let sequence = 0;
/** A valid store event with a unique eventId. */
export function storeEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  sequence++;
  return {
    eventId: uniqueName(`evt-${sequence}`),
    type: 'SALE',
    sku: `SKU-${sequence % 7}`,
    locationId: 'STORE-001',
    quantity: 1 + (sequence % 5),
    occurredAt: new Date(Date.now() - 60_000).toISOString(),
    reference: `receipt-${sequence}`,
    ...overrides,
  };
}
