import { describe, expect, it } from 'vitest';
import { parseLakeConfig, parseLakeLocation } from './config.ts';
import { topicsNamedBy, topicsOf } from './mirror.ts';

describe('what the query command reads', () => {
  const objects = ['inventory.events.v1', 'inventory.raw.mq.v1', 'inventory.raw.sap.mard.v1'].map((t) => ({
    key: `topic=${t}/date=2026-11-22/hour=09/${t}-p0-1-2.parquet`,
    size: 10,
  }));

  it('the topics of a listing, and those a query names by view or alias (all when it names none)', () => {
    const topics = topicsOf(objects);
    expect(topics).toEqual(['inventory.events.v1', 'inventory.raw.mq.v1', 'inventory.raw.sap.mard.v1']);
    expect(topicsNamedBy('SELECT type, count(*) FROM events GROUP BY type', topics)).toEqual([
      'inventory.events.v1',
    ]);
    // raw_mq is not a prefix match of raw_sap_mard, nor the other way round.
    expect(topicsNamedBy('SELECT * FROM raw_mq JOIN events USING (sku)', topics)).toEqual([
      'inventory.events.v1',
      'inventory.raw.mq.v1',
    ]);
    expect(topicsNamedBy('SELECT 1 FROM lake_raw', topics, { lake_raw: 'inventory.raw.mq.v1' })).toEqual([
      'inventory.raw.mq.v1',
    ]);
    expect(topicsNamedBy('SELECT 42', topics)).toEqual(topics);
  });

  it('the lake is on S3 unless set to a folder, which then needs LAKE_ROOT; a prefix ends with /', () => {
    expect(parseLakeLocation({ LAKE_S3_PREFIX: 'team-a', LAKE_KAFKA_BROKERS: 'k:9092' })).toMatchObject({
      TARGET: 's3',
      S3_BUCKET: 'inventory-lake',
      S3_PREFIX: 'team-a/',
      S3_FORCE_PATH_STYLE: true,
    });
    expect(() => parseLakeConfig({ LAKE_KAFKA_BROKERS: 'k:9092', LAKE_TARGET: 'file' })).toThrow(
      'invalid configuration: LAKE_ROOT: missing required setting (LAKE_TARGET=file)',
    );
    expect(() => parseLakeConfig({ LAKE_KAFKA_BROKERS: 'k:9092', LAKE_TARGET: 'tape' })).toThrow(
      /LAKE_TARGET/,
    );
  });
});
