import { describe, expect, it } from 'vitest';
import {
  appAccess,
  connectAccess,
  mirrorAccess,
  mirroredTopics,
  peerCopies,
  peerQueryApiAccess,
  platformAccess,
  singleWriterTopics,
} from './access.ts';
import { aclRules } from './acl.ts';
import { topicCatalog, topicNames } from './catalog.ts';

const catalog = new Set(topicCatalog().map((t) => t.name));
const all = platformAccess();
const writersOf = (topic: string) => all.filter((a) => a.writes.includes(topic)).map((a) => a.principal);
/** A copy MirrorMaker 2 writes: `<dc>.` and a mirrored topic, or its heartbeats. */
const mirrorWrites = (topic: string) =>
  (mirrorAccess.ownedTopicPrefixes ?? []).some((prefix) => topic.startsWith(prefix)) &&
  [...mirroredTopics(), 'heartbeats'].some((mirrored) => topic.endsWith(`.${mirrored}`));

describe('Kafka access of the platform', () => {
  it("names only topics of the catalog, and the other data centres' copies of them", () => {
    const named = all.flatMap((a) => [...a.reads, ...a.writes, ...a.inspects]);
    expect(named.filter((topic) => !catalog.has(topic) && !peerCopies.includes(topic))).toEqual([]);
    expect(peerCopies.filter((topic) => !mirrorWrites(topic))).toEqual([]);
    expect(appAccess['inventory-aggregator'].reads.filter((topic) => peerCopies.includes(topic))).toEqual([
      'dc1.inventory.stock.v1',
      'dc1.heartbeats',
      'dc2.inventory.stock.v1',
      'dc2.heartbeats',
      'dc3.inventory.stock.v1',
      'dc3.heartbeats',
    ]);
  });

  it("another data centre's query API may send reservation commands and hear outcomes, in groups named after its data centre, nothing else", () => {
    expect(aclRules(peerQueryApiAccess('dc2'))).toEqual([
      {
        resource: { type: 'topic', name: topicNames.reservationOutcomes, patternType: 'literal' },
        operations: ['Read', 'Describe'],
      },
      {
        resource: { type: 'topic', name: topicNames.reservationCommands, patternType: 'literal' },
        operations: ['Write', 'Describe'],
      },
      {
        resource: { type: 'group', name: 'inventory-query-api-dc2', patternType: 'prefix' },
        operations: ['Read', 'Delete', 'Describe'],
      },
    ]);
    expect(peerQueryApiAccess('dc2').principal).toBe('inventory-query-api-dc2');
  });

  it('one principal per app, named as the app', () => {
    for (const [app, access] of Object.entries(appAccess)) expect(access.principal).toBe(app);
    expect(new Set(all.map((a) => a.principal)).size).toBe(all.length);
  });

  it('state and summaries have exactly one writer', () => {
    for (const [topic, owner] of Object.entries(singleWriterTopics))
      expect(writersOf(topic)).toEqual([owner]);
  });

  it('every topic an app reads has a writer on the platform (a copy: the mirror)', () => {
    const read = new Set(all.flatMap((a) => a.reads));
    expect([...read].filter((topic) => writersOf(topic).length === 0 && !mirrorWrites(topic))).toEqual([]);
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
