import {
  createWorld,
  type RunningAggregator,
  startAggregator,
  type World,
} from '@inventory/inventory-aggregator-test';
import { buildTestQueryApi, type TestQueryApi } from '@inventory/inventory-query-api-test';
import { buildTestIngest, type TestIngest, tokens } from '@inventory/store-ingest-test';
import { stackEndpoints, testKafka, testRedis } from '@inventory/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaTarget } from './kafka-target.ts';
import { type LoadTarget, runLoad } from './run.ts';
import { generate, profiles } from './workload.ts';

describe('loadgen small profile through the platform', () => {
  const redis = testRedis();
  let ingest: TestIngest;
  let api: TestQueryApi;
  let aggregator: RunningAggregator;
  let ingestUrl: string;
  let queryUrl: string;
  let world: World;

  beforeAll(async () => {
    world = await createWorld(6);
    aggregator = startAggregator(world);
    ingest = await buildTestIngest(world.input, {
      INGEST_RATE_PER_SECOND: '100000',
      INGEST_RATE_BURST: '100000',
    });
    ingestUrl = await ingest.app.listen({ host: '127.0.0.1', port: 0 });
    api = await buildTestQueryApi(world, {
      QUERY_RATE_PER_SECOND: '100000',
      QUERY_RATE_BURST: '100000',
    });
    queryUrl = await api.api.listen({ host: '127.0.0.1', port: 0 });
    await aggregator.ready();
  });
  afterAll(async () => {
    await api?.close();
    await ingest?.close();
    aggregator?.child.kill('SIGTERM');
    await redis.quit();
  });

  const run = (target: LoadTarget, prefix: string) =>
    runLoad({
      profile: profiles.small as NonNullable<typeof profiles.small>,
      target,
      seed: 42,
      prefix,
      events: 20_000,
      ratePerSecond: 0,
      queryUrl,
      queryKey: 'shop-key',
      aggregatorMetricsUrl: `http://127.0.0.1:${aggregator.port}/metrics`,
      senders: 4,
      batchSize: 250,
      drainTimeoutMs: 120_000,
    });

  it('through the ingest API it ends exact: every location x sku and every network total equals the ground truth', async () => {
    const report = await run(
      { kind: 'ingest', url: ingestUrl, token: tokens.central },
      `T${Date.now().toString(36)}`,
    );
    expect(report.differences).toEqual([]);
    expect(report.exact).toBe(true);
    // The workload is reproducible: what was compared is what was generated, plus one probe
    // sku (at one location) per sender.
    const generated = [
      ...generate(profiles.small as NonNullable<typeof profiles.small>, 42, { count: 20_000 }),
    ];
    expect(report.events).toBe(20_000 + report.probes);
    expect(report.skusCompared).toBe(new Set(generated.map((e) => e.sku)).size + 4);
    expect(report.locationsCompared).toBe(new Set(generated.map((e) => `${e.sku}|${e.locationId}`)).size + 4);
    // Each probe seen on the change feed is one freshness sample (the last may still be on its way).
    expect(report.freshnessMs.samples).toBeGreaterThan(0);
    expect(report.freshnessMs.samples).toBeLessThanOrEqual(report.probes);
  });

  it('straight into Kafka it ends exact too', async () => {
    const kafka = await kafkaTarget(testKafka(), world.input, stackEndpoints().SCHEMA_REGISTRY_URL);
    try {
      const report = await run(kafka.target, `K${Date.now().toString(36)}`);
      expect(report.differences).toEqual([]);
      expect(report.exact).toBe(true);
    } finally {
      await kafka.close();
    }
  });
});
