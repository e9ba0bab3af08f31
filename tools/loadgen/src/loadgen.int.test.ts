import { usePlatform } from '@inventory/inventory-query-api-test';
import { tokens } from '@inventory/store-ingest-test';
import { stackEndpoints, testKafka } from '@inventory/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { kafkaTarget } from './kafka-target.ts';
import { type LoadTarget, runLoad } from './run.ts';
import { generate, profiles } from './workload.ts';

describe('loadgen small profile through the platform', () => {
  const platform = usePlatform();
  let ingestUrl: string;
  let queryUrl: string;

  beforeAll(async () => {
    ingestUrl = await platform.ingest.app.listen({ host: '127.0.0.1', port: 0 });
    queryUrl = await platform.query.api.listen({ host: '127.0.0.1', port: 0 });
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
      aggregatorMetricsUrl: `http://127.0.0.1:${platform.aggregator.port}/metrics`,
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
    const kafka = await kafkaTarget(testKafka(), platform.world.input, stackEndpoints().SCHEMA_REGISTRY_URL);
    try {
      const report = await run(kafka.target, `K${Date.now().toString(36)}`);
      expect(report.differences).toEqual([]);
      expect(report.exact).toBe(true);
    } finally {
      await kafka.close();
    }
  });
});
