import { describe, expect, it } from 'vitest';
import { appAccess, connectAccess, platformAccess, singleWriterTopics } from './access.ts';
import { topicCatalog, topicNames } from './catalog.ts';

const catalog = new Set(topicCatalog().map((t) => t.name));
const all = platformAccess();
const writersOf = (topic: string) => all.filter((a) => a.writes.includes(topic)).map((a) => a.principal);

describe('Kafka access of the platform', () => {
  it('names only topics of the catalog', () => {
    const named = all.flatMap((a) => [...a.reads, ...a.writes, ...a.inspects]);
    expect(named.filter((topic) => !catalog.has(topic))).toEqual([]);
  });

  it('one principal per app, named as the app', () => {
    for (const [app, access] of Object.entries(appAccess)) expect(access.principal).toBe(app);
    expect(new Set(all.map((a) => a.principal)).size).toBe(all.length);
  });

  it('state and summaries have exactly one writer', () => {
    for (const [topic, owner] of Object.entries(singleWriterTopics))
      expect(writersOf(topic)).toEqual([owner]);
  });

  it('every topic an app reads has a writer on the platform', () => {
    const read = new Set(all.flatMap((a) => a.reads));
    expect([...read].filter((topic) => writersOf(topic).length === 0)).toEqual([]);
  });

  it('the edges write the canonical topic and read nothing', () => {
    expect(writersOf(topicNames.events).sort()).toEqual([
      'inventory-aggregator',
      'mq-bridge',
      'sap-normalizer',
      'stock-reconciliation',
      'store-ingest',
    ]);
    for (const edge of ['store-ingest', 'mq-bridge'] as const) {
      expect(appAccess[edge].reads).toEqual([]);
      expect(appAccess[edge].groups).toEqual([]);
    }
    expect(connectAccess.writes).toEqual([topicNames.sapRaw]);
  });

  it('only the aggregator uses transactions', () => {
    expect(all.filter((a) => a.transactionalIds.length > 0).map((a) => a.principal)).toEqual([
      'inventory-aggregator',
    ]);
  });
});
