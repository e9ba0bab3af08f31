import { createCodec, type InventoryEvent, sampleEvent } from '@inventory/codec';
import { dayMs, defaultDedupPolicy } from '@inventory/domain';
import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { deadLetter, decodeEvents } from './poison.ts';

const codec = createCodec();
const now = sampleEvent.occurredAt + 60_000;
const decodeEvent = async (m: KafkaMessage) =>
  (await decodeEvents(codec, [m], { now, dedup: defaultDedupPolicy }))[0] as Awaited<
    ReturnType<typeof decodeEvents>
  >[number];
const encoded = (event: InventoryEvent) => codec.encode('t-value', 'InventoryEvent', event);
const message = (value: Buffer | null, key = sampleEvent.sku): KafkaMessage =>
  ({
    key: Buffer.from(key),
    value,
    offset: '42',
    timestamp: '0',
    attributes: 0,
    headers: {},
  }) as KafkaMessage;

describe('poison events', () => {
  it('a valid event decodes', async () => {
    const value = await codec.encode('t-value', 'InventoryEvent', sampleEvent);
    expect(await decodeEvent(message(value))).toEqual({ ok: true, event: sampleEvent });
  });

  it.each([
    [{ ...sampleEvent, quantity: -1 }, 'IMPOSSIBLE_VALUE', 'quantity -1 must be > 0 for SALE'],
    [
      { ...sampleEvent, type: 'ADJUSTMENT' as const, quantity: 0 },
      'IMPOSSIBLE_VALUE',
      'must not be 0 for ADJUSTMENT',
    ],
    [{ ...sampleEvent, sku: 'bad sku' }, 'IMPOSSIBLE_VALUE', 'sku "bad sku" is not 1-64 characters'],
    [{ ...sampleEvent, occurredAt: 0 }, 'IMPOSSIBLE_VALUE', 'occurredAt is not a real time'],
    // A store cannot write an id of the platform's own namespaces, nor another source's.
    [
      { ...sampleEvent, eventId: 'reservation-sale:r-1' },
      'FOREIGN_EVENT_ID',
      'is not in the store: namespace of source STORE',
    ],
    [{ ...sampleEvent, source: 'SAP' as const }, 'FOREIGN_EVENT_ID', 'is not in the sap: namespace'],
    [
      { ...sampleEvent, source: 'UNKNOWN' as const },
      'FOREIGN_EVENT_ID',
      'source UNKNOWN has no eventId namespace',
    ],
    [{ ...sampleEvent, eventId: 'store:' }, 'FOREIGN_EVENT_ID', 'is not in the store: namespace'],
  ])('impossible values and foreign ids are named: %#', async (event, code, reason) => {
    const decoded = await decodeEvent(message(await encoded(event), event.sku));
    expect(decoded.ok ? undefined : decoded.error.code).toBe(code);
    expect(decoded.ok ? '' : decoded.error.message).toContain(reason);
  });

  it('with several data centres, an event of a location homed in another is poison; its own and unknown ones fold', async () => {
    const homes: Record<string, string> = { [sampleEvent.locationId]: 'dc2', 'S-OWN': 'dc1' };
    const decode = async (event: InventoryEvent, dataCentre = 'dc1') =>
      (
        await decodeEvents(codec, [message(await encoded(event))], {
          now,
          dedup: defaultDedupPolicy,
          home: { dataCentre, of: (id) => homes[id] },
        })
      )[0];
    const foreign = await decode(sampleEvent);
    expect(foreign?.ok ? undefined : foreign?.error.code).toBe('FOREIGN_DATA_CENTRE');
    expect(foreign?.ok ? '' : foreign?.error.message).toBe(
      `location ${sampleEvent.locationId} is homed in dc2 (master data), not in dc1: its events go to dc2, whose aggregator alone writes its state`,
    );
    expect((await decode(sampleEvent, 'dc2'))?.ok).toBe(true);
    expect((await decode({ ...sampleEvent, locationId: 'S-OWN' }))?.ok).toBe(true);
    expect((await decode({ ...sampleEvent, locationId: 'S-NEW' }))?.ok).toBe(true);
    // One data centre: no home is checked.
    expect((await decodeEvent(message(await encoded(sampleEvent))))?.ok).toBe(true);
  });

  it('an event older than the dedup horizon plus grace is poison; one just inside is folded', async () => {
    const limit = now - defaultDedupPolicy.horizonMs - defaultDedupPolicy.graceMs;
    const old = await decodeEvent(message(await encoded({ ...sampleEvent, occurredAt: limit - 1 })));
    expect(old.ok ? undefined : old.error.code).toBe('BEYOND_DEDUP_HORIZON');
    expect(old.ok ? '' : old.error.message).toContain(
      'older than the deduplication horizon plus grace (192 h)',
    );
    const inside = await decodeEvent(message(await encoded({ ...sampleEvent, occurredAt: limit })));
    expect(inside.ok).toBe(true);
    expect(limit).toBe(now - 8 * dayMs);
  });

  it('undecodable bytes, tombstones and a key other than the sku are poison', async () => {
    const bytes = await decodeEvent(message(Buffer.from('garbage')));
    expect(bytes.ok ? '' : bytes.error.code).toBe('CODEC_MALFORMED');
    const tombstone = await decodeEvent(message(null));
    expect(tombstone.ok ? '' : tombstone.error.code).toBe('EMPTY_VALUE');
    const value = await codec.encode('t-value', 'InventoryEvent', sampleEvent);
    const wrongKey = await decodeEvent(message(value, 'OTHER-SKU'));
    expect(wrongKey.ok ? '' : wrongKey.error.code).toBe('WRONG_KEY');
  });

  it('the dead letter keeps the original record and says where it came from and why', async () => {
    const decoded = await decodeEvent(message(Buffer.from('garbage')));
    if (decoded.ok) throw new Error('expected poison');
    const letter = deadLetter(message(Buffer.from('garbage')), decoded.error, {
      topic: 'inventory.events.v1',
      partition: 3,
      groupId: 'g',
      now: () => Date.parse('2026-11-22T10:00:00Z'),
    });
    expect(letter.value?.toString()).toBe('garbage');
    expect(letter.headers).toEqual({
      'dlq-original-topic': 'inventory.events.v1',
      'dlq-original-partition': '3',
      'dlq-original-offset': '42',
      'dlq-error-code': 'CODEC_MALFORMED',
      'dlq-error-message': expect.any(String),
      'dlq-consumer-group': 'g',
      'dlq-time': '2026-11-22T10:00:00.000Z',
    });
  });
});
