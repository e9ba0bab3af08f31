import {
  type AppProcess,
  appReady,
  corpusProblems,
  createTestTopic,
  expectOrderlyStop,
  type HostileTarget,
  residentMemory,
  runHostileCase,
  stackEndpoints,
} from '@inventory/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngestProcess, storeEvent, tokens } from '../support.ts';
import { ingestCorpus } from './corpus.ts';

/** Growth of the process' resident memory over the whole corpus that is still "bounded". */
const memoryBoundBytes = 96 * 1024 * 1024;
const opsToken = 'hostile-ops-token';

/**
 * The ingest's hostile-input corpus against its real process (src/main.ts) on the local
 * stack: every case gets exactly its answer (4xx, or a close where HTTP has none to give),
 * no answer carries an internal address or a stack, and afterwards the process still
 * answers /healthz and accepts events, its memory grown by less than the bound.
 */
describe('store-ingest hostile-input corpus', () => {
  let app: AppProcess;
  let target: HostileTarget;
  let before: number;

  beforeAll(async () => {
    const topic = await createTestTopic('ingest-hostile', 1);
    app = startIngestProcess(topic, {
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
    target = {
      port: app.port,
      authorization: `Bearer ${tokens.store1}`,
      forbidden: [
        endpoints.KAFKA_BROKERS,
        new URL(endpoints.SCHEMA_REGISTRY_URL ?? 'http://unset.invalid').host,
        tokens.store1,
        tokens.central,
        opsToken,
      ],
    };
    expect((await post(storeEvent())).status).toBe(202);
    before = residentMemory(app.child.pid as number).rss;
  });
  afterAll(async () => {
    if (app) await expectOrderlyStop(app, 20_000);
  });

  const post = (event: Record<string, unknown>) =>
    fetch(`http://127.0.0.1:${app.port}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.store1}` },
      body: JSON.stringify(event),
    });

  it('has at least 40 well-formed cases', () => {
    expect(corpusProblems(ingestCorpus)).toEqual([]);
    expect(ingestCorpus.length).toBeGreaterThanOrEqual(40);
  });

  for (const c of ingestCorpus)
    it(c.name, async () => {
      expect(await runHostileCase(c, target)).toEqual([]);
    });

  it('stays up, still accepts events, and its memory stayed bounded', async () => {
    expect(app.child.exitCode).toBeNull();
    expect((await fetch(`http://127.0.0.1:${app.port}/healthz`)).status).toBe(200);
    expect((await post(storeEvent())).status).toBe(202);
    const after = residentMemory(app.child.pid as number);
    console.log(
      `store-ingest RSS ${(before / 2 ** 20).toFixed(0)} MiB before the corpus, ${(after.rss / 2 ** 20).toFixed(0)} MiB after (peak ${(after.peak / 2 ** 20).toFixed(0)} MiB)`,
    );
    expect(after.rss - before).toBeLessThan(memoryBoundBytes);
  });
});
